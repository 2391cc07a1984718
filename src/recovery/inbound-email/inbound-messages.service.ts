import { Injectable } from '@nestjs/common';
import type { InboundMessageState } from './inbound-message.entity';
import { InboundMessageRepository } from './inbound-message.repository';
import { inboundMessageView } from './inbound-message.view';

export const INBOUND_PAGE_SIZE = 50;

@Injectable()
export class InboundMessagesService {
  constructor(private readonly repository: InboundMessageRepository) {}

  async list(state: InboundMessageState | undefined, page: number) {
    const { items, total } = await this.repository.list({
      state,
      page,
      pageSize: INBOUND_PAGE_SIZE,
    });
    return { items: items.map(inboundMessageView), total, page, pageSize: INBOUND_PAGE_SIZE };
  }
}
