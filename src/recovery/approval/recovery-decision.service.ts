import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AccountsRepository } from '../../accounts/accounts.repository';
import { SecurityReportLinks } from '../../accounts/security-report-links.service';
import { AuditEntry, AuditService } from '../../audit/audit.service';
import { SecurityEventService } from '../../events/security-event.service';
import { DomainError } from '../../common/domain-error';
import { AppConfigService } from '../../config/app-config.service';
import { TwoFactorResetService } from '../../admin-reset/two-factor-reset.service';
import { MailService } from '../../mail/mail.service';
import { recoveryReply } from '../recovery-reply';
import { RecoveryResetQueue } from './recovery-reset.queue';
import { RecoveryRequest, RequestStatus } from './recovery-request.entity';
import { recoveryRequestEvent } from './recovery-request-event';
import { RecoveryRequestRepository } from './recovery-request.repository';

export interface ApprovalResult {
  status: RecoveryRequest['status'];
  approvals: number;
  approvalsRequired: number;
  executesAt?: string;
}

type AuditActor = AuditEntry['actor'];
const SYSTEM: AuditActor = { type: 'system' };

export function hashCancelToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * What happens to a request after it reached the agents' queue: approvals, denial, cancellation by
 * the mailbox owner or an organization admin, expiry, and the reset itself. Every transition is a
 * guarded update in one transaction with its audit event (docs/architecture.md, The request state machine).
 */
@Injectable()
export class RecoveryDecisionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly requests: RecoveryRequestRepository,
    private readonly accounts: AccountsRepository,
    private readonly audit: AuditService,
    private readonly events: SecurityEventService,
    private readonly mail: MailService,
    private readonly resets: TwoFactorResetService,
    private readonly resetQueue: RecoveryResetQueue,
    private readonly config: AppConfigService,
    private readonly reportLinks: SecurityReportLinks,
  ) {}

  async approve(requestId: string, agentId: string, note?: string): Promise<ApprovalResult> {
    const outcome = await this.dataSource.transaction(async (tx) => {
      const request = await this.requests.findByIdForUpdate(tx, requestId);
      if (request === null) throw new DomainError('not_found', 'No such request');
      if (request.status !== 'awaiting_approval') {
        throw new DomainError('request_not_open', `The request is ${request.status}`);
      }
      if (request.expiresAt !== null && request.expiresAt <= new Date()) {
        // the expiry sweeper has not run yet (e.g. Redis is down): expire it now, never approve
        await this.expireOne(tx, request.id, new Date());
        return 'expired_now' as const;
      }
      return this.recordApproval(tx, request, agentId, note ?? null);
    });
    if (outcome === 'expired_now') {
      throw new DomainError('request_not_open', 'The request has expired');
    }
    const { request, approvals } = outcome;
    const executesAt = request.status === 'approved' ? request.executesAt : null;
    if (executesAt !== null) await this.resetQueue.schedule(request.id, executesAt);
    return {
      status: request.status,
      approvals,
      approvalsRequired: request.approvalsRequired,
      ...(executesAt !== null ? { executesAt: executesAt.toISOString() } : {}),
    };
  }

  /** One agent's approval; the last one required approves the request and starts the delay. */
  private async recordApproval(
    tx: EntityManager,
    request: RecoveryRequest,
    agentId: string,
    note: string | null,
  ): Promise<{ request: RecoveryRequest; approvals: number }> {
    const existing = await this.requests.approvals(request.id, tx);
    if (existing.some((approval) => approval.agentId === agentId)) {
      // owners' and admins' recoveries need two DIFFERENT agents
      throw new DomainError('already_approved', 'You have already approved this request');
    }
    await this.requests.insertApproval(tx, { requestId: request.id, agentId, note });
    const approvals = existing.length + 1;
    const agent = { type: 'user' as const, id: agentId };
    await this.recordEvent(tx, request, agent, 'recovery.approval_recorded', {
      approvals,
      approvalsRequired: request.approvalsRequired,
    });
    if (approvals < request.approvalsRequired) return { request, approvals };
    const now = new Date();
    const executesAt = new Date(now.getTime() + this.config.get('recoveryDelayMinutes') * 60_000);
    const approved = await this.decideOpen(tx, request.id, ['awaiting_approval'], 'approved', {
      values: { decidedAt: now, decidedBy: agentId, executesAt },
      actor: agent,
      data: { approvals, executesAt: executesAt.toISOString() },
    });
    return { request: approved, approvals };
  }

  async deny(requestId: string, agentId: string, reason: string): Promise<{ status: 'denied' }> {
    await this.dataSource.transaction(async (tx) => {
      const request = await this.decideOpen(tx, requestId, ['awaiting_approval'], 'denied', {
        values: { decidedAt: new Date(), decidedBy: agentId, denyReason: reason },
        actor: { type: 'user', id: agentId },
        data: { reason },
      });
      await this.notifyUser(request, tx, { template: 'recovery_denied', reason });
    });
    return { status: 'denied' };
  }

  /** The mailbox owner's cancel link. Works until the reset has run; the token is single-use. */
  async cancelWithToken(token: string): Promise<{ status: 'cancelled' }> {
    const request =
      token.length > 200 ? null : await this.requests.findByCancelTokenHash(hashCancelToken(token));
    if (request === null) throw new DomainError('not_found', 'This cancel link is not valid');
    await this.cancel(
      request.id,
      { type: 'mailbox', id: null },
      { cancelTokenHash: null, decidedBy: null },
    );
    return { status: 'cancelled' };
  }

  /** An owner or admin of the member's organization cancels (e.g. during the delay). */
  async cancelByOrganizationAdmin(
    requestId: string,
    admin: { id: string; role: string; organizationId: string | null },
  ): Promise<{ status: 'cancelled' }> {
    const request = await this.requests.findById(requestId);
    if (request === null || request.organizationId !== admin.organizationId) {
      throw new DomainError('not_found', 'No such request');
    }
    const target = request.userId === null ? null : await this.accounts.findUser(request.userId);
    // as with the in-app reset: an admin never acts on the owner
    if (admin.role === 'admin' && target?.role === 'owner') {
      throw new DomainError('forbidden', "An admin cannot cancel the owner's recovery");
    }
    await this.cancel(request.id, { type: 'user', id: admin.id }, { decidedBy: admin.id });
    return { status: 'cancelled' };
  }

  private async cancel(
    requestId: string,
    actor: AuditActor,
    values: Partial<RecoveryRequest>,
  ): Promise<void> {
    await this.dataSource.transaction((tx) =>
      this.decideOpen(tx, requestId, ['awaiting_approval', 'approved'], 'cancelled', {
        values: { ...values, decidedAt: new Date() },
        actor,
      }),
    );
  }

  /**
   * In the caller's transaction: cancels every open request of the user (the holder said "this
   * wasn't me"). An approved request waiting out its delay is cancelled too, so its reset job
   * finds nothing to do. Returns the ids cancelled.
   */
  async cancelOpenOfUser(tx: EntityManager, userId: string, actor: AuditActor): Promise<string[]> {
    const cancelled: string[] = [];
    for (const open of await this.requests.findOpenOfUser(userId, tx)) {
      const request = await this.requests.transition(
        tx,
        open.id,
        ['awaiting_approval', 'approved'],
        'cancelled',
        { decidedAt: new Date(), decidedBy: null, cancelTokenHash: null },
      );
      if (request === null) continue;
      await this.recordEvent(tx, request, actor, 'recovery.cancelled', { by: 'security_report' });
      cancelled.push(request.id);
    }
    return cancelled;
  }

  /** Open requests nobody decided within RECOVERY_EXPIRY_HOURS. Returns how many expired. */
  async expireDue(now = new Date()): Promise<number> {
    let expired = 0;
    for (const due of await this.requests.findExpired(now)) {
      if (await this.dataSource.transaction((tx) => this.expireOne(tx, due.id, now))) expired += 1;
    }
    return expired;
  }

  private async expireOne(tx: EntityManager, requestId: string, now: Date): Promise<boolean> {
    const request = await this.requests.transition(
      tx,
      requestId,
      ['awaiting_approval'],
      'expired',
      {
        decidedAt: now,
      },
    );
    if (request === null) return false;
    await this.recordEvent(tx, request, SYSTEM, 'recovery.expired');
    return true;
  }

  /**
   * Runs the reset of an approved request exactly once: the guarded `approved → completed` update
   * and the reset commit together, so a second run (job retried, sweeper) finds nothing to do, and
   * a request cancelled during the delay is never reset.
   */
  async executeReset(requestId: string): Promise<'completed' | 'skipped'> {
    return this.dataSource.transaction(async (tx) => {
      const now = new Date();
      const current = await this.requests.findByIdForUpdate(tx, requestId);
      if (current === null || current.status !== 'approved' || current.userId === null) {
        return 'skipped';
      }
      if (current.executesAt !== null && current.executesAt > now) return 'skipped';
      const request = await this.requests.transition(tx, requestId, ['approved'], 'completed', {
        completedAt: now,
      });
      if (request === null || request.userId === null) return 'skipped';
      await this.resets.reset(
        {
          targetUserId: request.userId,
          actor: { type: 'system' },
          reason: 'support_recovery',
          subjectId: request.id,
        },
        tx,
      );
      await this.recordEvent(tx, request, SYSTEM, 'recovery.completed');
      await this.notifyUser(request, tx, {
        template: 'recovery_approved',
        signInUrl: `${this.config.get('publicUrl')}/login`,
      });
      return 'completed';
    });
  }

  /** Approved requests whose reset is due; the sweeper re-enqueues them (Redis outage, crash). */
  async dueResets(now = new Date()): Promise<RecoveryRequest[]> {
    return this.requests.findApprovedDue(now);
  }

  /**
   * A decision on an open request: the guarded update and its audit event (`recovery.<to>`), or
   * not_found / request_not_open when the request is not in one of the `from` states.
   */
  private async decideOpen(
    tx: EntityManager,
    requestId: string,
    from: RequestStatus[],
    to: 'approved' | 'denied' | 'cancelled',
    event: { values: Partial<RecoveryRequest>; actor: AuditActor; data?: Record<string, unknown> },
  ): Promise<RecoveryRequest> {
    const request = await this.requests.transition(tx, requestId, from, to, event.values);
    if (request === null) return this.throwNotOpen(requestId, tx);
    await this.recordEvent(tx, request, event.actor, `recovery.${to}`, event.data);
    return request;
  }

  private async recordEvent(
    tx: EntityManager,
    request: RecoveryRequest,
    actor: AuditActor,
    action: `recovery.${string}`,
    data?: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(recoveryRequestEvent(request, actor, action, data), tx);
    await this.events.recordRecoveryStep(tx, request, actor, action);
  }

  private async throwNotOpen(requestId: string, tx: EntityManager): Promise<never> {
    const request = await this.requests.findById(requestId, tx);
    if (request === null) throw new DomainError('not_found', 'No such request');
    throw new DomainError('request_not_open', `The request is ${request.status}`);
  }

  /** The requester hears of the decision (threaded reply to their own mail; see recoveryReply). */
  private async notifyUser(
    request: RecoveryRequest,
    tx: EntityManager,
    mail:
      | { template: 'recovery_denied'; reason: string }
      | { template: 'recovery_approved'; signInUrl: string },
  ): Promise<void> {
    if (request.userId === null) return;
    const user = await this.accounts.findUser(request.userId, tx);
    if (user === null) return;
    const reply = recoveryReply(user, request);
    if (mail.template === 'recovery_denied') {
      await this.mail.enqueue(
        { ...reply, template: mail.template, vars: { name: user.name, reason: mail.reason } },
        tx,
      );
    } else {
      const reportUrl = await this.reportLinks.issue(
        user,
        'recovery_approved',
        request.completedAt ?? new Date(),
        tx,
        request.id,
      );
      await this.mail.enqueue(
        {
          ...reply,
          template: mail.template,
          vars: { name: user.name, signInUrl: mail.signInUrl, reportUrl },
        },
        tx,
      );
    }
  }
}
