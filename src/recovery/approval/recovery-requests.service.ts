import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { RecoveryRequestRepository } from './recovery-request.repository';
import type { ListRequestsQueryDto } from './recovery-request.dto';
import { requestDetail, requestSummary } from './recovery-request.view';

export const PAGE_SIZE = 50;

/** Read side of the agents' queue. */
@Injectable()
export class RecoveryRequestsService {
  constructor(private readonly requests: RecoveryRequestRepository) {}

  async list(query: ListRequestsQueryDto) {
    const { items, total } = await this.requests.list({ ...query, pageSize: PAGE_SIZE });
    return { items: items.map(requestSummary), total, page: query.page, pageSize: PAGE_SIZE };
  }

  async detail(id: string) {
    const request = await this.requests.findById(id);
    if (request === null) throw new DomainError('not_found', 'No such request');
    return requestDetail(request, await this.requests.approvals(id));
  }
}
