import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AccountsRepository } from '../../accounts/accounts.repository';
import type { User } from '../../accounts/user.entity';
import { AuditService } from '../../audit/audit.service';
import { BillingRecord } from '../../billing/billing-record.entity';
import { AppConfigService } from '../../config/app-config.service';
import { TwoFactorRepository } from '../../enrollment/two-factor.repository';
import { MailService } from '../../mail/mail.service';
import { hashCancelToken } from '../approval/recovery-decision.service';
import {
  RecoveryRequest,
  RejectionReason,
  RequestChecks,
} from '../approval/recovery-request.entity';
import { RecoveryRequestRepository } from '../approval/recovery-request.repository';
import {
  InboundMessageForVerification,
  InboundMessageHandler,
  InboundMessageOutcome,
} from '../inbound-email/inbound-message.handler';
import { recoveryReply } from '../recovery-reply';
import { checkEvidence } from './evidence';
import { buildBodyExcerpt, maskHeaderForDisplay } from './masking';
import { senderAddress } from './sender-match';
import { extractVisibleText } from './visible-text';
import { RiskSignalsService } from './risk-signals.service';

/** 3 evidence failures per user per 24 hours, then rate_limited (docs/architecture.md, step 11). */
export const EVIDENCE_FAILURE_LIMIT = 3;
const DAY_MS = 24 * 3600_000;

const NOT_CHECKED: RequestChecks['factors'] = {
  last4: 'not_applicable',
  holderName: 'not_applicable',
  studentId: 'not_applicable',
};

type Draft = Pick<RecoveryRequest, 'sender' | 'userId' | 'organizationId'> & {
  checks: RequestChecks;
  /** what in the subject would reveal the (claimed) user's billing values, for masking */
  subjectValues?: readonly string[];
};

/**
 * docs/architecture.md, steps 10–15, for an inbound message: who sent it, may they ask, what evidence did they
 * give — and the request that results. Runs inside the transaction that finishes the inbound
 * message, so the request, its audit events and its mails commit with it, exactly once.
 */
@Injectable()
export class RecoveryVerificationService extends InboundMessageHandler {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly twoFactor: TwoFactorRepository,
    private readonly requests: RecoveryRequestRepository,
    private readonly risk: RiskSignalsService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly config: AppConfigService,
  ) {
    super();
  }

  /**
   * No reply, ever: the From address may be forged, and answering it would make us a spam cannon
   * and tell an attacker which addresses have accounts.
   */
  async rejectUnauthenticated(
    message: InboundMessageForVerification,
    manager: EntityManager,
  ): Promise<InboundMessageOutcome> {
    const sender = senderAddress(this.senderInput(message));
    const email = sender.outcome === 'single_address' ? sender.email : this.rawFrom(message);
    // linked to the claimed user for the agents' risk picture (impersonation attempts), nothing more
    const claimed = sender.outcome === 'single_address' ? await this.lookUp(email, manager) : null;
    return this.reject(message, manager, 'sender_not_authenticated', {
      sender: email,
      userId: claimed?.id ?? null,
      organizationId: claimed?.organizationId ?? null,
      checks: this.checks(message, 'not_checked', NOT_CHECKED),
      subjectValues: claimed === null ? [] : await this.subjectValues(message, claimed, manager),
    });
  }

  async verify(
    message: InboundMessageForVerification,
    manager: EntityManager,
  ): Promise<InboundMessageOutcome> {
    const sender = senderAddress(this.senderInput(message));
    if (sender.outcome !== 'single_address') {
      return this.reject(message, manager, 'ambiguous_sender', {
        sender: this.rawFrom(message),
        userId: null,
        organizationId: null,
        checks: this.checks(message, 'ambiguous', NOT_CHECKED),
      });
    }
    const user = await this.lookUp(sender.email, manager);
    if (user === null || user.organizationId === null) {
      // No reply: whether an address has an account is not ours to tell.
      return this.reject(message, manager, 'unknown_sender', {
        sender: sender.email,
        userId: null,
        organizationId: null,
        checks: this.checks(message, 'unknown', NOT_CHECKED),
      });
    }
    // Serialize everything about this user's requests (rate limit, duplicate) on the user row.
    await this.accounts.lockUser(user.id, manager);
    const { plan, billing } = await this.billingOf(user, manager);
    const draft: Draft = {
      sender: sender.email,
      userId: user.id,
      organizationId: user.organizationId,
      checks: this.checks(message, 'matched', NOT_CHECKED),
      subjectValues: checkEvidence(message.message.subject ?? '', billing, plan).evidenceValues,
    };
    const factor = await this.twoFactor.findFactor(user.id, manager);
    if (factor?.status !== 'active') {
      return this.reject(message, manager, 'no_active_2fa', draft, user);
    }
    if (await this.requests.hasOpenRequest(user.id, manager)) {
      return this.reject(message, manager, 'duplicate_request', draft, user);
    }
    const since = new Date(message.receivedAt.getTime() - DAY_MS);
    const failures = await this.requests.countEvidenceFailuresSince(user.id, since, manager);
    if (failures >= EVIDENCE_FAILURE_LIMIT) {
      return this.reject(message, manager, 'rate_limited', draft, user);
    }

    const visible = extractVisibleText(message.message);
    const evidence = checkEvidence(visible.text, billing, plan);
    const excerpt = buildBodyExcerpt(visible.text, evidence.evidenceValues);
    const checked: Draft = { ...draft, checks: { ...draft.checks, factors: evidence.factors } };
    if (evidence.outcome !== 'matched') {
      return this.reject(
        message,
        manager,
        evidence.outcome,
        checked,
        user,
        excerpt,
        evidence.evidenceValues,
      );
    }
    return this.accept(message, manager, checked, user, excerpt, evidence.evidenceValues);
  }

  private async accept(
    message: InboundMessageForVerification,
    manager: EntityManager,
    draft: Draft,
    user: User,
    bodyExcerpt: string,
    evidenceValues: readonly string[],
  ): Promise<InboundMessageOutcome> {
    const cancelToken = randomBytes(32).toString('base64url');
    // from now, not from receipt: a message delayed by an outage still gets its full time
    const expiresAt = new Date(Date.now() + this.config.get('recoveryExpiryHours') * 3600_000);
    const inserted = await this.requests.insert(manager, {
      ...draft,
      ...this.threading(message),
      inboundMessageId: message.inboundMessageId,
      status: 'awaiting_approval',
      reason: null,
      receivedAt: message.receivedAt,
      // owners' and admins' recoveries need two different agents
      approvalsRequired: user.role === 'owner' || user.role === 'admin' ? 2 : 1,
      risk: await this.risk.forUser(user, message.receivedAt, manager),
      subject: this.displaySubject(message, [...evidenceValues, ...(draft.subjectValues ?? [])]),
      bodyExcerpt,
      cancelTokenHash: hashCancelToken(cancelToken),
      expiresAt,
    });
    if (inserted === 'duplicate_open') {
      return this.reject(message, manager, 'duplicate_request', draft, user);
    }
    await this.audit.record(
      {
        actor: { type: 'system' },
        action: 'recovery.awaiting_approval',
        targetUserId: user.id,
        organizationId: user.organizationId,
        subjectId: inserted.id,
        data: { factors: draft.checks.factors, inboundMessageId: message.inboundMessageId },
      },
      manager,
    );
    await this.mail.enqueue(
      {
        ...this.reply(message, user),
        template: 'recovery_received',
        vars: {
          name: user.name,
          cancelUrl: `${this.config.get('publicUrl')}/recovery/cancel/${cancelToken}`,
          expiresAt: expiresAt.toISOString(),
        },
      },
      manager,
    );
    await this.notifyOrganizationAdmins(user, message.receivedAt, manager);
    return {
      decision: 'awaiting_approval',
      reason: null,
      requestId: inserted.id,
      subject: inserted.subject,
    };
  }

  private async reject(
    message: InboundMessageForVerification,
    manager: EntityManager,
    reason: RejectionReason,
    draft: Draft,
    replyTo?: User,
    bodyExcerpt: string | null = null,
    evidenceValues: readonly string[] = [],
  ): Promise<InboundMessageOutcome> {
    const inserted = await this.requests.insert(manager, {
      ...draft,
      ...this.threading(message),
      inboundMessageId: message.inboundMessageId,
      status: 'rejected',
      reason,
      receivedAt: message.receivedAt,
      approvalsRequired: 1,
      risk: null,
      subject: this.displaySubject(message, [...evidenceValues, ...(draft.subjectValues ?? [])]),
      bodyExcerpt,
      cancelTokenHash: null,
      expiresAt: null,
    });
    if (inserted === 'duplicate_open') throw new Error('a rejected request cannot be open');
    await this.audit.record(
      {
        actor: { type: 'system' },
        action: 'recovery.rejected',
        targetUserId: draft.userId,
        organizationId: draft.organizationId,
        subjectId: inserted.id,
        data: { reason, inboundMessageId: message.inboundMessageId },
      },
      manager,
    );
    // Only rejections after the sender was matched to a user are answered, and never with which
    // check failed (src/mail/mail-templates.ts).
    if (replyTo !== undefined) {
      await this.mail.enqueue(
        { ...this.reply(message, replyTo), ...this.rejectionMail(reason, replyTo) },
        manager,
      );
    }
    return { decision: 'rejected', reason, requestId: inserted.id, subject: inserted.subject };
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

  /** The article's advice is to ask a local admin first: tell them, an independent channel. */
  private async notifyOrganizationAdmins(
    member: User,
    requestedAt: Date,
    manager: EntityManager,
  ): Promise<void> {
    if (member.organizationId === null) return;
    const colleagues = await this.accounts.findUsersInOrganization(member.organizationId, manager);
    for (const admin of colleagues) {
      if (admin.id === member.id || (admin.role !== 'owner' && admin.role !== 'admin')) continue;
      await this.mail.enqueue(
        {
          template: 'recovery_org_notice',
          to: admin.email,
          locale: admin.locale,
          userId: admin.id,
          vars: {
            recipientName: admin.name,
            memberName: member.name,
            memberEmail: member.email,
            requestedAt: requestedAt.toISOString(),
          },
        },
        manager,
      );
    }
  }

  private reply(message: InboundMessageForVerification, user: User) {
    return recoveryReply(user, this.threading(message));
  }

  private threading(message: InboundMessageForVerification) {
    return {
      messageIdHeader: message.message.messageId?.slice(0, 1000) ?? null,
      referencesHeader:
        message.message.references.length > 0
          ? message.message.references.join(' ').slice(0, 10000)
          : null,
    };
  }

  /** Agents see the subject too, masked like the excerpt (and every 4-digit group in it). */
  private displaySubject(
    message: InboundMessageForVerification,
    evidenceValues: readonly string[],
  ): string | null {
    const subject = message.message.subject?.slice(0, 500);
    return subject === undefined || subject === null
      ? null
      : maskHeaderForDisplay(subject, evidenceValues);
  }

  private checks(
    message: InboundMessageForVerification,
    senderMatch: RequestChecks['senderMatch'],
    factors: RequestChecks['factors'],
  ): RequestChecks {
    const { result, method, detail } = message.authentication;
    return { senderAuth: { result, method, detail }, senderMatch, factors };
  }

  private async billingOf(user: User, manager: EntityManager) {
    if (user.organizationId === null) return { plan: 'paid' as const, billing: [] };
    const organization = await this.accounts.findOrganization(user.organizationId, manager);
    const billing = await manager
      .getRepository(BillingRecord)
      .findBy({ organizationId: user.organizationId });
    return { plan: organization?.plan ?? ('paid' as const), billing };
  }

  private async subjectValues(
    message: InboundMessageForVerification,
    user: User,
    manager: EntityManager,
  ): Promise<string[]> {
    const { plan, billing } = await this.billingOf(user, manager);
    return checkEvidence(message.message.subject ?? '', billing, plan).evidenceValues;
  }

  private async lookUp(email: string, manager: EntityManager): Promise<User | null> {
    const user = await this.accounts.findUserByEmail(email, manager);
    // support agents are not customers: their access is managed elsewhere
    return user !== null && user.role !== 'agent' ? user : null;
  }

  private rawFrom(message: InboundMessageForVerification): string {
    return message.message.from
      .map((address) => address.address)
      .join(', ')
      .slice(0, 320);
  }

  /** senderAddress reads mailparser's shapes; rebuild them from the inbound pipeline's parse. */
  private senderInput(message: InboundMessageForVerification) {
    return {
      from: {
        value: message.message.from.map((address) => ({
          address: address.address,
          name: address.name,
        })),
        html: '',
        text: '',
      },
      headerLines: message.message.headers.map((header) => ({
        key: header.key,
        line: `${header.key}: ${header.value}`,
      })),
    };
  }
}
