import { Injectable } from '@nestjs/common';
import { PAGE_SIZE } from '../../common/page-query.dto';
import type { InboundMessageState } from './inbound-message.entity';
import { InboundMessageRepository } from './inbound-message.repository';
import { inboundMessageView } from './inbound-message.view';

@Injectable()
export class InboundMessagesService {
  constructor(private readonly repository: InboundMessageRepository) {}

  async list(state: InboundMessageState | undefined, page: number) {
    const { items, total } = await this.repository.list({
      state,
      page,
      pageSize: PAGE_SIZE,
    });
    return { items: items.map(inboundMessageView), total, page, pageSize: PAGE_SIZE };
  }
}
