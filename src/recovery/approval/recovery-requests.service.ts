import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { PAGE_SIZE } from '../../common/page-query.dto';
import { REQUEST_STATUSES } from './recovery-request.entity';
import type { RequestStatus } from './recovery-request.entity';
import { RecoveryRequestRepository } from './recovery-request.repository';
import type { ListRequestsQueryDto } from './recovery-request.dto';
import { requestDetail, requestSummary } from './recovery-request.view';

/** Read side of the agents' queue. */
@Injectable()
export class RecoveryRequestsService {
  constructor(private readonly requests: RecoveryRequestRepository) {}

  async list(query: ListRequestsQueryDto, order: 'newest' | 'oldest' = 'newest') {
    const { items, total } = await this.requests.list({ ...query, order, pageSize: PAGE_SIZE });
    return { items: items.map(requestSummary), total, page: query.page, pageSize: PAGE_SIZE };
  }

  /** Every status with its number of requests (zero included), in the state machine's order. */
  async statusCounts(): Promise<{ status: RequestStatus; count: number }[]> {
    const counts = await this.requests.countByStatus();
    return REQUEST_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 }));
  }

  async detail(id: string) {
    const request = await this.requests.findById(id);
    if (request === null) throw new DomainError('not_found', 'No such request');
    return requestDetail(request, await this.requests.approvals(id));
  }
}
