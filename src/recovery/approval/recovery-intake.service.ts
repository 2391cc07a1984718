import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AccountsRepository } from '../../accounts/accounts.repository';
import { SecurityReportLinkRepository } from '../../accounts/security-report-link.repository';
import { SecurityReportLinks } from '../../accounts/security-report-links.service';
import type { User } from '../../accounts/user.entity';
import { AuditService } from '../../audit/audit.service';
import { SecurityEventService } from '../../events/security-event.service';
import { AppConfigService } from '../../config/app-config.service';
import { MailRequest, MailService } from '../../mail/mail.service';
import { recoveryReply } from '../recovery-reply';
import { RecoveryVerificationService } from '../verification/recovery-verification.service';
import type {
  EvidenceFinding,
  MessageToVerify,
  RequestDraft,
  VerificationDecision,
} from '../verification/verification-decision';
import { hashCancelToken } from './recovery-decision.service';
import { recoveryRequestEvent } from './recovery-request-event';
import { RecoveryRequest, RejectionReason } from './recovery-request.entity';
import {
  IntakeFacts,
  OrganizationAdmin,
  RecoveryRequestRepository,
} from './recovery-request.repository';
import { RISK_WINDOW_MS, RiskSignalsService } from './risk-signals.service';

/** 3 evidence failures per user per 24 hours, then rate_limited (docs/architecture.md, step 11). */
export const EVIDENCE_FAILURE_LIMIT = 3;
const DAY_MS = 24 * 3600_000;

/**
 * What the inbound pipeline hands over for every message that is not automatic mail and is the
 * first of its (authentication result, sender, Message-ID) (docs/architecture.md, steps 9–10).
 */
export interface RecoveryMessage extends MessageToVerify {
  /** inbound_messages.id — recovery_requests.inbound_message_id */
  inboundMessageId: string;
  message: MessageToVerify['message'] & { messageId: string | null; references: string[] };
}

/** What became of the message, stored on the inbound message row. */
export interface IntakeOutcome {
  decision: 'awaiting_approval' | 'rejected';
  /** rejection reason when rejected (e.g. 'sender_not_authenticated'), else null */
  reason: RejectionReason | null;
  requestId: string;
  /** the subject as agents may see it, masked against the sender's billing values, if known */
  subject: string | null;
}

/**
 * Where a request enters the state machine (docs/architecture.md, steps 10–15): asks the
 * verification for its decision and writes what follows from it — the request row, its audit
 * event, the cancel token, the reply and the admins' notice. Runs INSIDE the transaction that
 * finishes the inbound message (`tx`), so all of it commits with the message, exactly once;
 * throwing rolls everything back and the job is retried.
 */
@Injectable()
export class RecoveryIntakeService {
  constructor(
    private readonly verification: RecoveryVerificationService,
    private readonly accounts: AccountsRepository,
    private readonly requests: RecoveryRequestRepository,
    private readonly risk: RiskSignalsService,
    private readonly audit: AuditService,
    private readonly events: SecurityEventService,
    private readonly mail: MailService,
    private readonly config: AppConfigService,
    private readonly reportLinks: SecurityReportLinks,
    private readonly reports: SecurityReportLinkRepository,
  ) {}

  async receive(message: RecoveryMessage, tx: EntityManager): Promise<IntakeOutcome> {
    const decision = await this.verification.verify(message, tx);
    switch (decision.kind) {
      case 'unanswered':
        return this.reject(message, tx, decision.reason, decision.request);
      case 'no_second_factor':
        return (
          (await this.ifFrozen(message, tx, decision.request, decision.user)) ??
          this.reject(message, tx, 'no_active_2fa', decision.request, decision.user)
        );
      case 'evidence_checked':
        return (
          (await this.ifFrozen(message, tx, decision.request, decision.user)) ??
          this.afterEvidence(message, tx, decision)
        );
    }
  }

  /**
   * The holder said "this wasn't me" less than REPORT_FREEZE_DAYS ago: the mail from their
   * (authenticated) address is refused as `account_frozen`. No reply — the mailbox itself may be
   * in other hands — but the organization's owner and admins hear of every attempt.
   */
  private async ifFrozen(
    message: RecoveryMessage,
    tx: EntityManager,
    draft: RequestDraft,
    user: User,
  ): Promise<IntakeOutcome | null> {
    // the lock a report takes too (SecurityReportService.record): a request and a report of the
    // same user are serialized, so no request is accepted beside a report that freezes it
    await this.accounts.lockUser(user.id, tx);
    const frozenUntil = await this.reports.frozenUntil(user.id, new Date(), tx);
    if (frozenUntil === null) return null;
    const outcome = await this.reject(message, tx, 'account_frozen', draft);
    const admins = await this.requests.organizationAdmins(user, tx);
    await this.notifyOrganizationAdmins(admins, tx, (admin) => ({
      template: 'recovery_frozen_notice',
      vars: {
        recipientName: admin.name,
        memberName: user.name,
        memberEmail: user.email,
        attemptedAt: message.receivedAt.toISOString(),
        frozenUntil: frozenUntil.toISOString(),
        requestsUrl: this.requestsUrl(),
      },
    }));
    return outcome;
  }

  private async afterEvidence(
    message: RecoveryMessage,
    tx: EntityManager,
    { user, request, evidence }: Extract<VerificationDecision, { kind: 'evidence_checked' }>,
  ): Promise<IntakeOutcome> {
    // Everything about this user's requests (rate limit, duplicate) is serialized on the user row,
    // locked by ifFrozen earlier in this transaction; read what the checks, the risk signals and
    // the notices need in one statement.
    const facts = await this.requests.intakeFacts(
      tx,
      user,
      new Date(message.receivedAt.getTime() - DAY_MS),
      new Date(message.receivedAt.getTime() - RISK_WINDOW_MS),
    );
    if (facts.open) {
      return this.reject(message, tx, 'duplicate_request', request, user);
    }
    if (facts.failures >= EVIDENCE_FAILURE_LIMIT) {
      return this.reject(message, tx, 'rate_limited', request, user);
    }
    const checked = { ...request, checks: { ...request.checks, factors: evidence.factors } };
    if (evidence.outcome !== 'matched') {
      const shown = { ...checked, subject: evidence.subject };
      return this.reject(message, tx, evidence.outcome, shown, user, evidence.bodyExcerpt);
    }
    return this.accept(message, tx, checked, user, evidence, facts);
  }

  private async accept(
    message: RecoveryMessage,
    tx: EntityManager,
    checked: RequestDraft,
    user: User,
    evidence: EvidenceFinding,
    facts: IntakeFacts,
  ): Promise<IntakeOutcome> {
    const cancelToken = randomBytes(32).toString('base64url');
    // from now, not from receipt: a message delayed by an outage still gets its full time
    const expiresAt = new Date(Date.now() + this.config.get('recoveryExpiryHours') * 3600_000);
    const inserted = await this.requests.insert(tx, {
      ...this.row(message, { ...checked, subject: evidence.subject }),
      status: 'awaiting_approval',
      reason: null,
      // owners' and admins' recoveries need two different agents
      approvalsRequired: user.role === 'owner' || user.role === 'admin' ? 2 : 1,
      risk: this.risk.forUser(user, message.receivedAt, facts),
      bodyExcerpt: evidence.bodyExcerpt,
      cancelTokenHash: hashCancelToken(cancelToken),
      expiresAt,
    });
    if (inserted === 'duplicate_open') {
      return this.reject(message, tx, 'duplicate_request', checked, user);
    }
    await this.record(tx, 'recovery.awaiting_approval', inserted, {
      factors: checked.checks.factors,
      inboundMessageId: message.inboundMessageId,
    });
    const cancelUrl = `${this.config.get('publicUrl')}/recovery/cancel/${cancelToken}`;
    const reportUrl = await this.reportLinks.issue(
      user,
      'recovery_received',
      message.receivedAt,
      tx,
      inserted.id,
    );
    await this.mail.enqueue(
      {
        ...this.reply(message, user),
        template: 'recovery_received',
        vars: { name: user.name, cancelUrl, expiresAt: expiresAt.toISOString(), reportUrl },
      },
      tx,
    );
    await this.notifyOrganizationAdmins(facts.admins, tx, (admin) => ({
      template: 'recovery_org_notice',
      vars: {
        recipientName: admin.name,
        memberName: user.name,
        memberEmail: user.email,
        requestedAt: message.receivedAt.toISOString(),
        requestsUrl: this.requestsUrl(),
      },
    }));
    const { id: requestId, subject } = inserted;
    return { decision: 'awaiting_approval', reason: null, requestId, subject };
  }

  /** `replyTo`: only rejections after the sender was matched to a user are answered. */
  private async reject(
    message: RecoveryMessage,
    tx: EntityManager,
    reason: RejectionReason,
    draft: RequestDraft,
    replyTo?: User,
    bodyExcerpt: string | null = null,
  ): Promise<IntakeOutcome> {
    const inserted = await this.requests.insert(tx, {
      ...this.row(message, draft),
      status: 'rejected',
      reason,
      approvalsRequired: 1,
      risk: null,
      bodyExcerpt,
      cancelTokenHash: null,
      expiresAt: null,
    });
    if (inserted === 'duplicate_open') throw new Error('a rejected request cannot be open');
    await this.record(tx, 'recovery.rejected', inserted, {
      reason,
      inboundMessageId: message.inboundMessageId,
    });
    // never with which check failed (src/mail/mail-templates.ts)
    if (replyTo !== undefined) {
      await this.mail.enqueue(
        { ...this.reply(message, replyTo), ...this.rejectionMail(reason, replyTo) },
        tx,
      );
    }
    return { decision: 'rejected', reason, requestId: inserted.id, subject: inserted.subject };
  }

  private async record(
    tx: EntityManager,
    action: 'recovery.awaiting_approval' | 'recovery.rejected',
    request: RecoveryRequest,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(recoveryRequestEvent(request, { type: 'system' }, action, data), tx);
    await this.events.recordRecoveryStep(tx, request, { type: 'system' }, action);
  }

  /**
   * A user whose sign-in asks for no second factor needs no recovery: tell them to sign in with
   * their password rather than send them looking for billing details they do not need.
   */
  private rejectionMail(reason: RejectionReason, user: User) {
    return reason === 'no_active_2fa'
      ? {
          template: 'recovery_no_second_factor' as const,
          vars: { name: user.name, signInUrl: `${this.config.get('publicUrl')}/login` },
        }
      : { template: 'recovery_more_info' as const, vars: { name: user.name } };
  }

  /** The users page, whose "Recovery requests" section lists the organization's requests. */
  private requestsUrl(): string {
    return `${this.config.get('publicUrl')}/users#recovery-requests`;
  }

  /**
   * The article's advice is to ask a local admin first: tell the member's owner and admins (an
   * independent channel), each in their own language.
   */
  private async notifyOrganizationAdmins(
    admins: OrganizationAdmin[],
    tx: EntityManager,
    mail: (
      admin: OrganizationAdmin,
    ) =>
      | Pick<MailRequest<'recovery_org_notice'>, 'template' | 'vars'>
      | Pick<MailRequest<'recovery_frozen_notice'>, 'template' | 'vars'>,
  ): Promise<void> {
    for (const admin of admins) {
      await this.mail.enqueue(
        { ...mail(admin), to: admin.email, locale: admin.locale, userId: admin.id },
        tx,
      );
    }
  }

  /** The columns every request of this message shares, whatever was decided. */
  private row(message: RecoveryMessage, draft: RequestDraft) {
    return {
      ...draft,
      ...this.threading(message),
      inboundMessageId: message.inboundMessageId,
      receivedAt: message.receivedAt,
    };
  }

  private reply(message: RecoveryMessage, user: User) {
    return recoveryReply(user, this.threading(message));
  }

  private threading(message: RecoveryMessage) {
    return {
      messageIdHeader: message.message.messageId?.slice(0, 1000) ?? null,
      referencesHeader:
        message.message.references.length > 0
          ? message.message.references.join(' ').slice(0, 10000)
          : null,
    };
  }
}
