import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository';
import { SessionService } from '../accounts/session.service';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import type { TwoFactorStatus } from '../enrollment/two-factor.entity';
import { TwoFactorRepository } from '../enrollment/two-factor.repository';
import { SecurityEventService } from '../events/security-event.service';
import { SignInChallengeService } from '../sign-in/sign-in-challenge.service';

export interface TwoFactorResetRequest {
  targetUserId: string;
  /** an organization admin (`user` with id) or the support-recovery job (`system`) */
  actor: { type: 'user' | 'system'; id?: string };
  reason: 'admin_reset' | 'support_recovery';
  /** what the reset belongs to, e.g. the recovery request id */
  subjectId?: string;
}

export interface TwoFactorResetOutcome {
  /** false when the factor was already reset and nothing was pending: nothing audited again */
  changed: boolean;
  previousStatus: TwoFactorStatus;
  sessionsRevoked: number;
}

/**
 * THE two-factor reset, shared by the in-app admin reset and the support-recovery job, so both
 * do exactly the same thing. Callers decide who may reset whom; this only does it.
 */
@Injectable()
export class TwoFactorResetService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly twoFactor: TwoFactorRepository,
    private readonly sessions: SessionService,
    private readonly challenges: SignInChallengeService,
    private readonly audit: AuditService,
    private readonly events: SecurityEventService,
  ) {}

  /**
   * In the caller's transaction: wipes the target's secret (active and pending) and recovery
   * codes, sets `reset_required` (next sign-in answers `next: "enroll"`), ends every session and
   * open sign-in challenge at once, and records `two_factor.reset`. Idempotent: run again on an
   * already reset factor it changes nothing and records nothing. Throws not_found for no such user.
   */
  async reset(
    request: TwoFactorResetRequest,
    manager: EntityManager,
  ): Promise<TwoFactorResetOutcome> {
    const target = await this.accounts.findUser(request.targetUserId, manager);
    if (target === null) throw new DomainError('not_found', 'No such user');
    // the row lock serializes concurrent resets (two admins, admin and support job)
    const factor = await this.twoFactor.findFactorForUpdate(target.id, manager);
    const previousStatus: TwoFactorStatus = factor?.status ?? 'disabled';
    const hadPending = factor !== null && factor.pendingKeyId !== null;
    // Sessions and challenges end even on a repeat call: a reset must never leave one open.
    const sessionsRevoked = await this.sessions.revokeAll(target.id, manager);
    await this.challenges.revokeAll(target.id, manager);
    const alreadyReset = previousStatus === 'reset_required' && !hadPending;
    if (alreadyReset && sessionsRevoked === 0) {
      return { changed: false, previousStatus, sessionsRevoked };
    }
    await this.twoFactor.wipeForReset(target.id, manager);
    const recoveryCodesWiped = await this.twoFactor.deleteRecoveryCodes(target.id, manager);
    await this.audit.record(
      {
        actor: { type: request.actor.type, id: request.actor.id ?? null },
        action: 'two_factor.reset',
        targetUserId: target.id,
        organizationId: target.organizationId,
        subjectId: request.subjectId ?? null,
        data: { reason: request.reason, previousStatus, sessionsRevoked, recoveryCodesWiped },
      },
      manager,
    );
    // A support recovery raises this event too (with the request id), before the request's own
    // `recovery.completed`: receivers that watch factor changes need not know about recoveries.
    await this.events.record(manager, {
      type: 'two_factor.reset',
      organizationId: target.organizationId,
      userId: target.id,
      requestId: request.reason === 'support_recovery' ? (request.subjectId ?? null) : null,
      actor: request.actor,
    });
    return { changed: true, previousStatus, sessionsRevoked };
  }
}
