import { Injectable } from '@nestjs/common';
import { AccountsRepository } from '../../accounts/accounts.repository';
import { SecurityReportLinkRepository } from '../../accounts/security-report-link.repository';
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
import { organizationRequestSummary, requestDetail, requestSummary } from './recovery-request.view';

const DAY_MS = 24 * 3600_000;

/** The states an owner or admin can still cancel from (awaiting approval, or the delay). */
export const ORGANIZATION_CANCELLABLE: RequestStatus[] = ['awaiting_approval', 'approved'];

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
    private readonly reports: SecurityReportLinkRepository,
    private readonly accounts: AccountsRepository,
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
    // counted now, not at intake: a report made after the request arrived still shows
    let reports: number | null = null;
    if (request.userId !== null) {
      const since = new Date(Date.now() - 30 * DAY_MS);
      const counts = await this.reports.countReportsSince([request.userId], since);
      reports = counts.get(request.userId) ?? 0;
    }
    return requestDetail(request, await this.requests.approvals(id), reports);
  }

  /**
   * The requests of the members of the caller's own organization (owner, admin), newest first,
   * without evidence or excerpt. `cancellable`: the Cancel of the users page applies.
   */
  async listForOrganization(
    actor: { organizationId: string | null },
    query: { status?: RequestStatus; page: number },
  ) {
    if (actor.organizationId === null)
      return { items: [], total: 0, page: query.page, pageSize: PAGE_SIZE };
    const { items, total } = await this.requests.listForOrganization({
      organizationId: actor.organizationId,
      status: query.status,
      page: query.page,
      pageSize: PAGE_SIZE,
    });
    const members = new Map(
      (await this.accounts.findUsersInOrganization(actor.organizationId)).map((user) => [
        user.id,
        { id: user.id, name: user.name, email: user.email },
      ]),
    );
    return {
      items: items.map((request) =>
        organizationRequestSummary(
          request,
          request.userId === null ? null : (members.get(request.userId) ?? null),
        ),
      ),
      total,
      page: query.page,
      pageSize: PAGE_SIZE,
    };
  }
}
