import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { AfterCommitHooks } from './after-commit';
import {
  isValidRecipient,
  mailFromDomain,
  newMessageId,
  normalizeMessageId,
  normalizeReferences,
} from './mail-headers';
import { MailQueue } from './mail.queue';
import {
  checkMailVars,
  InvalidMailError,
  MailContext,
  MailTemplate,
  MailTemplateVars,
  renderMail,
} from './mail-templates';
import { OutboundMailRepository } from './outbound-mail.repository';

export interface MailRequest<T extends MailTemplate = MailTemplate> {
  template: T;
  to: string;
  locale: 'sv' | 'en';
  vars: MailTemplateVars[T];
  /** recipient user, for the record */
  userId?: string | null;
  /** threading for replies to inbound mail: the Message-ID being answered */
  inReplyTo?: string;
  references?: string[];
  /** adds `Auto-Submitted: auto-replied` (replies to inbound mail); otherwise `auto-generated` */
  autoReply?: boolean;
}

/**
 * The one way to send mail. `enqueue` stores the message in the outbox (inside the caller's
 * transaction when given one, so the mail exists exactly when the change it announces does) and
 * queues its delivery after commit. Delivery happens on the mail worker, with retries.
 */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);
  private readonly messageIdDomain: string;
  readonly context: MailContext;

  constructor(
    private readonly repository: OutboundMailRepository,
    private readonly queue: MailQueue,
    private readonly afterCommit: AfterCommitHooks,
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfigService,
  ) {
    this.messageIdDomain = mailFromDomain(config.get('mailFrom'));
    this.context = { supportAddress: config.get('supportAddresses')[0] };
  }

  /**
   * Inserts the outbound mail row inside the caller's transaction when a manager is given, and
   * makes sure it is sent at least once after commit, exactly once in the normal case. Never
   * fails because Redis is away (the row waits for the sweeper); throws InvalidMailError on a
   * bad request, before anything is stored.
   */
  async enqueue<T extends MailTemplate>(
    request: MailRequest<T>,
    manager?: EntityManager,
  ): Promise<string> {
    if (!isValidRecipient(request.to)) throw new InvalidMailError(`${request.template}: bad "to"`);
    if (request.locale !== 'sv' && request.locale !== 'en') {
      throw new InvalidMailError(`${request.template}: locale must be sv or en`);
    }
    const vars = checkMailVars(request.template, request.vars);
    // Render once now: a template that cannot be rendered fails in the caller, not in the worker.
    renderMail(request.template, request.locale, vars, this.context);

    const id = randomUUID();
    await this.repository.insert(manager ?? this.dataSource.manager, {
      id,
      template: request.template,
      toAddress: request.to,
      userId: request.userId ?? null,
      locale: request.locale,
      vars,
      inReplyTo: normalizeMessageId(request.inReplyTo) ?? null,
      referenceIds: normalizeReferences(request.references),
      autoReply: request.autoReply ?? false,
      messageId: newMessageId(this.messageIdDomain),
    });
    // Inside a transaction the job is queued once it commits (a rolled-back mail is never
    // queued), together with every other mail of that transaction (one addBulk); otherwise the
    // row is already committed and the job is queued right away.
    if (!this.queueAfterCommit(manager, id)) await this.queue.add(id);
    this.logger.debug({ mailId: id, template: request.template }, 'mail queued');
    return id;
  }

  /** Adds the mail to its transaction's batch; false when `manager` is not in a transaction. */
  private queueAfterCommit(manager: EntityManager | undefined, id: string): boolean {
    if (manager === undefined) return false;
    return this.afterCommit.scheduleBatched(manager, this, id, (ids) => {
      void this.queue.addMany(ids);
    });
  }
}
