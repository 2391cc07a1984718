import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ParsedInboundMessage } from './message-parser';
import type { SenderAuthentication } from './sender-auth-decision';

/**
 * ─── HAND-OFF TO THE RECOVERY VERIFICATION ───────────────────────────────────────────
 * What the inbound pipeline passes on for every message that is not automatic mail (docs/architecture.md,
 * step 1) and is the first of its (authentication result, sender, Message-ID): the parsed
 * message, its envelope and the sender authentication result (step 2).
 */
export interface InboundMessageForVerification {
  /** inbound_messages.id — recovery_requests.inbound_message_id */
  inboundMessageId: string;
  receivedAt: Date;
  envelope: {
    source: 'smtp' | 'webhook';
    /** '' never reaches here (null-sender mail is ignored); null when the webhook gave none */
    mailFrom: string | null;
    rcptTo: string[];
    clientIp: string | null;
    clientHelo: string | null;
  };
  /** re-parsed from the raw bytes: From (all addresses), Subject, Message-ID, In-Reply-To, References, text, html, attachment metadata */
  message: ParsedInboundMessage;
  authentication: SenderAuthentication;
}

/** What the verification decided, stored on the inbound message row. */
export interface InboundMessageOutcome {
  /** e.g. 'rejected', 'awaiting_approval'; 'recorded' while no verification exists */
  decision: string;
  /** rejection reason when rejected (e.g. 'sender_not_authenticated'), else null */
  reason: string | null;
  /** the recovery request created for this message, if any */
  requestId: string | null;
  /** the subject as agents may see it, masked against the sender's billing values, if known */
  subject?: string | null;
}

/**
 * The one service call between inbound mail and recovery verification. Both methods run INSIDE
 * the transaction that finishes the inbound message (the row is locked, `manager` is that
 * transaction): write the request, its audit event and any outbound-mail outbox rows through
 * `manager`, so the message's state and its outcome commit together, exactly once. Throwing rolls
 * everything back and the job is retried.
 *
 * Issue 5 replaces the default below in InboundEmailWorkerModule:
 *   { provide: InboundMessageHandler, useClass: <the verification handler> }
 */
export abstract class InboundMessageHandler {
  /** The sender is authenticated (authentication.result === 'pass'): match the user, check evidence, decide. */
  abstract verify(
    message: InboundMessageForVerification,
    manager: EntityManager,
  ): Promise<InboundMessageOutcome>;

  /**
   * Sender authentication failed: record `rejected` / `sender_not_authenticated`.
   * NEVER send mail from here — the From address may be forged (docs/architecture.md, step 7).
   */
  abstract rejectUnauthenticated(
    message: InboundMessageForVerification,
    manager: EntityManager,
  ): Promise<InboundMessageOutcome>;
}

/**
 * Until the verification exists: record the authentication result on the message and
 * nothing else — no request, no mail.
 */
@Injectable()
export class RecordingInboundMessageHandler extends InboundMessageHandler {
  async verify(): Promise<InboundMessageOutcome> {
    return { decision: 'recorded', reason: null, requestId: null };
  }

  async rejectUnauthenticated(): Promise<InboundMessageOutcome> {
    return { decision: 'rejected', reason: 'sender_not_authenticated', requestId: null };
  }
}
