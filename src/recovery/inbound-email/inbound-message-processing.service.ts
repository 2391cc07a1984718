import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { normalizeEmail } from '../../accounts/email-address';
import { AuditService } from '../../audit/audit.service';
import { MetricsService } from '../../metrics/metrics.service';
import { RecoveryIntakeService, RecoveryMessage } from '../approval/recovery-intake.service';
import { maskHeaderForDisplay } from '../verification/masking';
import { classifyAutomaticMail } from './auto-reply';
import {
  FinalUpdate,
  InboundMessageRepository,
  StoredInboundMessage,
} from './inbound-message.repository';
import { ParsedInboundMessage, parseInboundMessage } from './message-parser';
import { SenderAuthenticator } from './sender-auth';
import { SenderAuthentication, TemporaryAuthenticationError } from './sender-auth-decision';

/**
 * Attempts counted in the row itself, across jobs and restarts: a message that keeps killing its
 * worker (and so never reaches BullMQ's own attempt count) is set `failed` instead of looping.
 */
export const MAX_ATTEMPTS_PER_MESSAGE = 20;

export type ProcessingResult = 'processed' | 'ignored' | 'failed' | 'already_done';

/**
 * One outcome per (authentication result, sender, Message-ID) — or per identical bytes when there
 * is no Message-ID. The authentication result is part of the key so that a forged copy sent first
 * cannot pre-empt the genuine message.
 */
export function outcomeKey(
  authentication: SenderAuthentication,
  parsed: Pick<ParsedInboundMessage, 'from' | 'messageId'>,
  rawSha256: Buffer,
): string {
  const sender = parsed.from
    .map((address) => normalizeEmail(address.address) ?? address.address.toLowerCase())
    .sort()
    .join(',');
  const identity =
    parsed.messageId === null
      ? `raw:${rawSha256.toString('hex')}`
      : `mid:${sender}:${parsed.messageId.trim()}`;
  return createHash('sha256').update(`${authentication.result}|${identity}`).digest('hex');
}

/**
 * The inbound pipeline (docs/architecture.md, steps 5–9): parse, classify automatic mail (ignored, no
 * reply), authenticate the sender, then hand the message to the recovery verification. Idempotent:
 * the row is locked and must still be `stored` in the transaction that records the outcome, and
 * the outcome key is unique, so a job run twice or a message delivered twice yields one outcome.
 */
@Injectable()
export class InboundMessageProcessingService {
  private readonly logger = new Logger(InboundMessageProcessingService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: InboundMessageRepository,
    private readonly authenticator: SenderAuthenticator,
    private readonly intake: RecoveryIntakeService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  /** `lastAttempt`: the queue will not retry, so a temporary failure becomes final now. */
  async process(id: string, lastAttempt: boolean): Promise<ProcessingResult> {
    const row = await this.repository.startAttempt(id);
    if (row === null) return 'already_done';
    const result = await this.processStored(row, lastAttempt);
    // observed once the outcome is committed, by the one worker whose guarded update won
    if (result !== 'already_done') {
      this.metrics.inboundDecided(
        row.source,
        result,
        (Date.now() - row.receivedAt.getTime()) / 1000,
      );
    }
    return result;
  }

  private async processStored(
    row: StoredInboundMessage,
    lastAttempt: boolean,
  ): Promise<ProcessingResult> {
    if (row.attempts > MAX_ATTEMPTS_PER_MESSAGE) {
      return this.finish(row, { state: 'failed', reason: 'too_many_attempts' });
    }
    let parsed: ParsedInboundMessage;
    try {
      parsed = await parseInboundMessage(row.raw);
    } catch (error) {
      return this.finish(row, {
        state: 'failed',
        reason: 'unparseable',
        lastError: error instanceof Error ? error.message : String(error),
      });
    }
    const metadata = this.metadata(parsed);
    const automatic = classifyAutomaticMail({
      headers: parsed.headers,
      mailFrom: row.mailFrom,
      fromAddresses: metadata.fromAddresses ?? [],
    });
    if (automatic !== undefined) {
      // no request and no reply: answering machines must never talk to each other through us
      return this.finish(row, { state: 'ignored', reason: automatic, ...metadata });
    }
    let authentication: SenderAuthentication;
    try {
      authentication = await this.authenticator.authenticate(
        row.raw,
        row,
        parsed.headers,
        metadata.fromAddresses ?? [],
      );
    } catch (error) {
      if (!(error instanceof TemporaryAuthenticationError)) throw error;
      // a DNS outage is not a verdict on the sender: retry with back-off, fail only at the end
      await this.repository.recordError(row.id, error.message);
      if (!lastAttempt) throw error;
      return this.finish(row, {
        state: 'failed',
        reason: 'sender_auth_temperror',
        lastError: error.message,
        ...metadata,
      });
    }
    return this.decide(row, parsed, metadata, authentication);
  }

  private async decide(
    row: StoredInboundMessage,
    parsed: ParsedInboundMessage,
    metadata: Omit<FinalUpdate, 'state'>,
    authentication: SenderAuthentication,
  ): Promise<ProcessingResult> {
    const key = outcomeKey(authentication, parsed, row.rawSha256);
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.repository.lockForDecision(tx, row.id, key))) return 'already_done';
      const holder = await this.repository.outcomeKeyHolder(tx, key);
      if (holder !== null) {
        await this.complete(tx, row.id, {
          state: 'ignored',
          reason: 'duplicate',
          duplicateOf: holder,
          authentication,
          ...metadata,
        });
        return 'ignored';
      }
      const message: RecoveryMessage = {
        inboundMessageId: row.id,
        receivedAt: row.receivedAt,
        message: parsed,
        authentication,
      };
      // the hand-off: verification decides, the intake writes the request (and answers only
      // authenticated senders)
      const outcome = await this.intake.receive(message, tx);
      await this.complete(tx, row.id, {
        state: 'processed',
        decision: outcome.decision,
        reason: outcome.reason,
        recoveryRequestId: outcome.requestId,
        authentication,
        dedupeKey: key,
        ...metadata,
        // the verification knows the sender's billing values and masks them in the subject too
        subject: outcome.subject,
      });
      return 'processed';
    });
  }

  /** Final state of a message whose processing cannot go further (ignored, failed). */
  async finish(row: { id: string }, update: FinalUpdate): Promise<ProcessingResult> {
    return this.dataSource.transaction(async (tx) => {
      if (!(await this.repository.lockStored(tx, row.id))) return 'already_done';
      await this.complete(tx, row.id, update);
      return update.state;
    });
  }

  private async complete(tx: EntityManager, id: string, update: FinalUpdate): Promise<void> {
    await this.repository.finish(tx, id, update);
    await this.audit.record(
      {
        actor: { type: 'system' },
        action: `inbound_message.${update.state}`,
        subjectId: id,
        data: {
          reason: update.reason ?? null,
          decision: update.decision ?? null,
          senderAuth: update.authentication?.result ?? null,
        },
      },
      tx,
    );
    if (update.state === 'failed') {
      this.logger.warn({ inboundMessageId: id, reason: update.reason }, 'inbound message failed');
    }
  }

  private metadata(parsed: ParsedInboundMessage): Omit<FinalUpdate, 'state'> {
    return {
      fromAddresses: parsed.from.map((address) => address.address.slice(0, 320)).slice(0, 50),
      // shown to agents: a card number or 4 digits written in the subject are masked
      subject: parsed.subject === null ? null : maskHeaderForDisplay(parsed.subject.slice(0, 1000)),
      messageIdHeader: parsed.messageId?.slice(0, 1000) ?? null,
      inReplyTo: parsed.inReplyTo?.slice(0, 1000) ?? null,
      referencesHeader: parsed.references.join(' ').slice(0, 10000) || null,
      attachments: parsed.attachments,
    };
  }
}
