import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository';
import type { ReportedEvent, SecurityReportLink } from '../accounts/security-report-link.entity';
import { SecurityReportLinkRepository } from '../accounts/security-report-link.repository';
import {
  hashReportToken,
  MAX_REPORT_TOKEN_LENGTH,
} from '../accounts/security-report-links.service';
import { SessionService } from '../accounts/session.service';
import type { User } from '../accounts/user.entity';
import { AuditService } from '../audit/audit.service';
import { SecurityEventService } from '../events/security-event.service';
import { DomainError } from '../common/domain-error';
import { AppConfigService } from '../config/app-config.service';
import { MailService } from '../mail/mail.service';
import { RecoveryDecisionService } from '../recovery/approval/recovery-decision.service';
import { SignInChallengeService } from '../sign-in/sign-in-challenge.service';

/** What the report page shows before the click (GET never changes anything). */
export interface ReportLinkPreview {
  state: 'open' | 'used' | 'expired';
  event: ReportedEvent;
  eventAt: Date;
  email: string;
  reportedAt: Date | null;
}

export interface SecurityReportOutcome {
  status: 'reported';
  /** ISO 8601: e-mail recovery of the account is refused until then */
  frozenUntil: string;
}

/** Everything a report changed, for whoever records it beside the audit event. */
export interface RecordedReport {
  link: SecurityReportLink;
  user: User;
  reportedAt: Date;
  frozenUntil: Date;
  cancelledRequestIds: string[];
  sessionsRevoked: number;
}

/**
 * "This wasn't me": the holder of an account says a change to their own sign-in (2FA enabled,
 * reset by an admin, a recovery request received or approved) was not theirs. The link's token
 * (src/accounts/security-report-links.service.ts) is single-use, lives 30 days, and is looked up
 * by its SHA-256 only.
 */
@Injectable()
export class SecurityReportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly links: SecurityReportLinkRepository,
    private readonly accounts: AccountsRepository,
    private readonly sessions: SessionService,
    private readonly challenges: SignInChallengeService,
    private readonly decisions: RecoveryDecisionService,
    private readonly audit: AuditService,
    private readonly events: SecurityEventService,
    private readonly mail: MailService,
    private readonly config: AppConfigService,
  ) {}

  /** The link's state for the page, or null when no link has this token. */
  async preview(token: string): Promise<ReportLinkPreview | null> {
    const link = await this.find(token);
    if (link === null) return null;
    const user = await this.accounts.findUser(link.userId);
    if (user === null) return null;
    const state =
      link.reportedAt !== null ? 'used' : link.expiresAt <= new Date() ? 'expired' : 'open';
    return {
      state,
      event: link.event,
      eventAt: link.eventAt,
      email: user.email,
      reportedAt: link.reportedAt,
    };
  }

  /** `POST /api/security/report` and the page's button. */
  async report(token: string): Promise<SecurityReportOutcome> {
    const recorded = await this.dataSource.transaction((tx) => this.record(token, tx));
    return { status: 'reported', frozenUntil: recorded.frozenUntil.toISOString() };
  }

  /**
   * Records the report once, in the caller's transaction: the link is used up, every open
   * recovery request of the holder is cancelled, e-mail recovery is frozen for
   * REPORT_FREEZE_DAYS, every session and open sign-in ends, the audit event `security.reported`
   * is written and the organization's owner and admins are mailed. Anything else that must
   * commit with the report (an outgoing security event) belongs here too.
   */
  async record(token: string, tx: EntityManager): Promise<RecordedReport> {
    const link = await this.find(token, tx);
    if (link === null) throw new DomainError('report_link_invalid', 'This link is not valid');
    if (link.reportedAt !== null) {
      throw new DomainError('report_link_used', 'This link was already used');
    }
    const reportedAt = new Date();
    if (link.expiresAt <= reportedAt) {
      throw new DomainError('report_link_expired', 'This link has expired');
    }
    const user = await this.accounts.findUser(link.userId, tx);
    if (user === null) throw new DomainError('report_link_invalid', 'This link is not valid');
    // the same lock the recovery intake takes: no request of this user slips in beside the report
    await this.accounts.lockUser(user.id, tx);
    const frozenUntil = new Date(
      reportedAt.getTime() + this.config.get('reportFreezeDays') * 24 * 3600_000,
    );
    if (!(await this.links.markReported(tx, link.id, reportedAt, frozenUntil))) {
      throw new DomainError('report_link_used', 'This link was already used');
    }
    // whoever holds the mailbox the link was sent to: the account holder, by their own word
    const actor = { type: 'mailbox' as const, id: null };
    const cancelledRequestIds = await this.decisions.cancelOpenOfUser(tx, user.id, actor);
    const sessionsRevoked = await this.sessions.revokeAll(user.id, tx);
    await this.challenges.revokeAll(user.id, tx);
    await this.audit.record(
      {
        actor,
        action: 'security.reported',
        targetUserId: user.id,
        organizationId: user.organizationId,
        subjectId: link.requestId ?? link.id,
        data: {
          event: link.event,
          eventAt: link.eventAt.toISOString(),
          linkId: link.id,
          cancelledRequestIds,
          sessionsRevoked,
          frozenUntil: frozenUntil.toISOString(),
        },
      },
      tx,
    );
    await this.events.record(tx, {
      type: 'security.reported',
      organizationId: user.organizationId,
      userId: user.id,
      requestId: link.requestId,
      actor: { type: 'mailbox' },
    });
    await this.notifyOrganization(user, reportedAt, frozenUntil, tx);
    return { link, user, reportedAt, frozenUntil, cancelledRequestIds, sessionsRevoked };
  }

  private find(token: string, manager?: EntityManager): Promise<SecurityReportLink | null> {
    if (token.length === 0 || token.length > MAX_REPORT_TOKEN_LENGTH) return Promise.resolve(null);
    return this.links.findByTokenHash(hashReportToken(token), {
      manager,
      lock: manager !== undefined,
    });
  }

  /** The organization's owner and admins, at once (the holder themselves excepted). */
  private async notifyOrganization(
    member: User,
    reportedAt: Date,
    frozenUntil: Date,
    tx: EntityManager,
  ): Promise<void> {
    if (member.organizationId === null) return;
    const colleagues = await this.accounts.findUsersInOrganization(member.organizationId, tx);
    for (const admin of colleagues) {
      if (admin.id === member.id || (admin.role !== 'owner' && admin.role !== 'admin')) continue;
      await this.mail.enqueue(
        {
          template: 'security_reported_notice',
          to: admin.email,
          locale: admin.locale,
          userId: admin.id,
          vars: {
            recipientName: admin.name,
            memberName: member.name,
            memberEmail: member.email,
            reportedAt: reportedAt.toISOString(),
            frozenUntil: frozenUntil.toISOString(),
            requestsUrl: `${this.config.get('publicUrl')}/users#recovery-requests`,
          },
        },
        tx,
      );
    }
  }
}
