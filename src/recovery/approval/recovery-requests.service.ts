import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/auth.decorators';
import { DomainError } from '../../common/domain-error';
import { PAGE_SIZE } from '../../common/page-query.dto';
import { StepUpService } from '../../sign-in/step-up.service';
import { REQUEST_STATUSES } from './recovery-request.entity';
import type { RequestStatus } from './recovery-request.entity';
import { RecoveryRequestRepository } from './recovery-request.repository';
import type {
  ApproveRequestDto,
  DenyRequestDto,
  ListRequestsQueryDto,
} from './recovery-request.dto';
import { RecoveryDecisionService } from './recovery-decision.service';
import { requestDetail, requestSummary } from './recovery-request.view';

/**
 * The agents' queue: what they read, and their decisions. A decision resets (or refuses to
 * reset) someone's second factor, so it needs the agent's own second factor, proved in the last
 * 15 minutes of this session or with a code sent along: a session alone approves nothing.
 */
@Injectable()
export class RecoveryRequestsService {
  constructor(
    private readonly requests: RecoveryRequestRepository,
    private readonly decisions: RecoveryDecisionService,
    private readonly stepUp: StepUpService,
  ) {}

  async approve(id: string, agent: AuthenticatedUser, body: ApproveRequestDto) {
    await this.stepUp.require(agent, body.code);
    return this.decisions.approve(id, agent.id, body.note);
  }

  async deny(id: string, agent: AuthenticatedUser, body: DenyRequestDto) {
    await this.stepUp.require(agent, body.code);
    return this.decisions.deny(id, agent.id, body.reason);
  }

  async list(query: ListRequestsQueryDto, order: 'newest' | 'oldest' = 'newest') {
    const { items, total } = await this.requests.list({ ...query, order, pageSize: PAGE_SIZE });
    return { items: items.map(requestSummary), total, page: query.page, pageSize: PAGE_SIZE };
  }

  /** Every status with its number of requests (zero included), in the state machine's order. */
  async statusCounts(): Promise<{ status: RequestStatus; count: number }[]> {
    const counts = await this.requests.countByStatus();
    return REQUEST_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 }));
  }

  /** Where the requests are now (a message's `decision` is where its request started). */
  statusesOf(ids: string[]): Promise<Map<string, RequestStatus>> {
    return this.requests.statusesOf(ids);
  }

  async detail(id: string) {
    const request = await this.requests.findById(id);
    if (request === null) throw new DomainError('not_found', 'No such request');
    return requestDetail(request, await this.requests.approvals(id));
  }
}
