import { Injectable, Logger } from '@nestjs/common';
import { MAIL_ATTEMPTS, MailQueue } from './mail.queue';
import { MailService } from './mail.service';
import { isMailTemplate, renderMail } from './mail-templates';
import { MailTransport } from './mail-transport';
import { OutboundMail } from './outbound-mail.entity';
import { OutboundMailRepository } from './outbound-mail.repository';

/** A worker holds a row this long while it talks to the relay (well above the SMTP timeouts). */
const LEASE_SECONDS = 120;
/** Pending rows older than this with no worker on them are queued again by the sweeper. */
export const SWEEP_AFTER_SECONDS = 30;
const SWEEP_BATCH = 500;

/** Retrying cannot help: the relay refused the message for good, or the row cannot be rendered. */
export class PermanentMailError extends Error {}
/** Try again later: the row is not committed yet, or another worker holds it. */
export class MailNotReadyError extends Error {}

export type DeliveryOutcome = 'sent' | 'skipped';

/**
 * Sends one outbox row. Idempotent: a row already sent or failed is skipped, and the claim on the
 * row keeps two runs of the same job from both sending. A crash between the relay's answer and
 * the row's update means one more send later: at least once, exactly once in the normal case.
 */
@Injectable()
export class MailDeliveryService {
  private readonly logger = new Logger(MailDeliveryService.name);

  constructor(
    private readonly repository: OutboundMailRepository,
    private readonly transport: MailTransport,
    private readonly queue: MailQueue,
    private readonly mail: MailService,
  ) {}

  async deliver(mailId: string, options: { finalAttempt: boolean }): Promise<DeliveryOutcome> {
    const claim = await this.repository.claim(mailId, LEASE_SECONDS);
    switch (claim.kind) {
      case 'missing':
        // The caller's transaction may not have committed yet: retry. If it rolled back, the
        // job gives up after its attempts and nothing was ever sent.
        throw new MailNotReadyError('mail row not found (not committed yet?)');
      case 'busy':
        throw new MailNotReadyError('mail row is being sent by another worker');
      case 'done':
        return 'skipped';
      case 'claimed':
        break;
    }
    const mail = claim.mail;
    const final = options.finalAttempt || mail.attempts >= MAIL_ATTEMPTS;
    try {
      await this.transport.send(this.compose(mail));
    } catch (error) {
      const permanent = error instanceof PermanentMailError || isPermanentSmtpError(error);
      const reason = describeError(error);
      await this.repository.recordFailure(mailId, reason, final || permanent);
      this.logger.warn(
        {
          mailId,
          template: mail.template,
          attempt: mail.attempts,
          reason,
          final: final || permanent,
        },
        'mail not sent',
      );
      throw permanent ? new PermanentMailError(reason) : error;
    }
    await this.repository.markSent(mailId);
    this.logger.log({ mailId, template: mail.template, attempt: mail.attempts }, 'mail sent');
    return 'sent';
  }

  /** Queues every pending row whose job was lost; returns how many were queued. */
  async sweep(): Promise<number> {
    const ids = await this.repository.findStalePendingIds(SWEEP_AFTER_SECONDS, SWEEP_BATCH);
    let queued = 0;
    for (const id of ids) {
      if (!(await this.queue.add(id))) break; // Redis went away again: next sweep
      queued += 1;
    }
    if (queued > 0) this.logger.log({ queued }, 'mail sweeper queued pending mail');
    return queued;
  }

  private compose(mail: OutboundMail) {
    if (!isMailTemplate(mail.template) || mail.vars === null) {
      throw new PermanentMailError(`cannot render template "${mail.template}"`);
    }
    let rendered;
    try {
      rendered = renderMail(mail.template, mail.locale, mail.vars as never, this.mail.context);
    } catch (error) {
      throw new PermanentMailError(error instanceof Error ? error.message : 'cannot render');
    }
    return {
      id: mail.id,
      to: mail.toAddress,
      ...rendered,
      messageId: mail.messageId,
      locale: mail.locale,
      autoReply: mail.autoReply,
      inReplyTo: mail.inReplyTo ?? undefined,
      references: mail.referenceIds,
    };
  }
}

/** RFC 5321: a 5yz reply is final (503 "bad sequence" is about the session, not the message). */
function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600 && code !== 503;
}

/** One line for last_error and the logs: codes and the server's answer, never message content. */
function describeError(error: unknown): string {
  // duck-typed: Node's own socket errors may come from another realm (not `instanceof Error`)
  const details = error as { message?: unknown; code?: unknown; responseCode?: unknown } | null;
  if (typeof details?.message !== 'string') return 'unknown error';
  const parts = [details.code, details.responseCode].filter(
    (part) => typeof part === 'string' || typeof part === 'number',
  );
  const message = details.message.replace(/\s+/g, ' ').trim().slice(0, 300);
  return parts.length > 0 ? `${parts.join(' ')}: ${message}` : message;
}
