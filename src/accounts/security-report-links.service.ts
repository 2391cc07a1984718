import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import type { ReportedEvent } from './security-report-link.entity';
import { SecurityReportLinkRepository } from './security-report-link.repository';
import { hashToken } from './session.service';

/** A "this wasn't me" link works for 30 days after the mail that carries it. */
export const REPORT_LINK_TTL_DAYS = 30;
/** Tokens are 32 random bytes in base64url (43 characters); anything longer is not one. */
export const MAX_REPORT_TOKEN_LENGTH = 200;

/** The hash under which a report token is stored and looked up (SHA-256, as sessions). */
export function hashReportToken(token: string): Buffer {
  return hashToken(token);
}

/**
 * Issues the "this wasn't me" link of a mail about a change to the holder's own sign-in, inside
 * the transaction that queues the mail: the link exists exactly when the mail does. The token
 * goes only into the mail (whose variables are wiped once sent); the database keeps its hash.
 */
@Injectable()
export class SecurityReportLinks {
  constructor(
    private readonly links: SecurityReportLinkRepository,
    private readonly config: AppConfigService,
  ) {}

  async issue(
    user: { id: string },
    event: ReportedEvent,
    eventAt: Date,
    tx: EntityManager,
    requestId: string | null = null,
  ): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.links.insert(tx, {
      userId: user.id,
      tokenHash: hashReportToken(token),
      event,
      eventAt,
      requestId,
      expiresAt: new Date(Date.now() + REPORT_LINK_TTL_DAYS * 24 * 3600_000),
    });
    return `${this.config.get('publicUrl')}/security/report/${token}`;
  }
}
