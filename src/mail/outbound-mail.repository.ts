import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { OutboundMail } from './outbound-mail.entity';
import { directQuery } from '../database/direct-query';

export type NewOutboundMail = Pick<
  OutboundMail,
  | 'id'
  | 'template'
  | 'toAddress'
  | 'userId'
  | 'locale'
  | 'vars'
  | 'inReplyTo'
  | 'referenceIds'
  | 'autoReply'
  | 'messageId'
>;

export type ClaimResult =
  | { kind: 'claimed'; mail: OutboundMail }
  /** not committed yet (the caller's transaction is still open) or rolled back */
  | { kind: 'missing' }
  /** already sent or given up: nothing to do */
  | { kind: 'done'; status: 'sent' | 'failed' }
  /** another worker holds it right now */
  | { kind: 'busy' };

/** A row of outbound_mails as PostgreSQL returns it. */
interface OutboundMailRow {
  id: string;
  template: string;
  to_address: string;
  user_id: string | null;
  locale: 'sv' | 'en';
  vars: Record<string, string> | null;
  in_reply_to: string | null;
  reference_ids: string[];
  auto_reply: boolean;
  status: OutboundMail['status'];
  attempts: number;
  last_error: string | null;
  message_id: string;
  locked_until: Date | null;
  created_at: Date;
  sent_at: Date | null;
}

function fromRow(row: OutboundMailRow): OutboundMail {
  return Object.assign(new OutboundMail(), {
    id: row.id,
    template: row.template,
    toAddress: row.to_address,
    userId: row.user_id,
    locale: row.locale,
    vars: row.vars,
    inReplyTo: row.in_reply_to,
    referenceIds: row.reference_ids,
    autoReply: row.auto_reply,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    messageId: row.message_id,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  });
}

@Injectable()
export class OutboundMailRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, mail: NewOutboundMail): Promise<void> {
    await manager.query(
      `INSERT INTO outbound_mails
         (id, template, to_address, user_id, locale, vars, in_reply_to, reference_ids, auto_reply,
          message_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        mail.id,
        mail.template,
        mail.toAddress,
        mail.userId,
        mail.locale,
        mail.vars === null ? null : JSON.stringify(mail.vars),
        mail.inReplyTo,
        mail.referenceIds,
        mail.autoReply,
        mail.messageId,
      ],
    );
  }

  findById(id: string): Promise<OutboundMail | null> {
    return this.dataSource.getRepository(OutboundMail).findOneBy({ id });
  }

  /**
   * Takes a pending row for `leaseSeconds` and counts the attempt. The guarded UPDATE means two
   * workers running the same job at once cannot both send: the second one sees `busy` or `done`.
   */
  async claim(id: string, leaseSeconds: number): Promise<ClaimResult> {
    // the claim and the row in one round trip; only when it fails is the row read to say why
    const rows = await directQuery<OutboundMailRow>(
      this.dataSource,
      `UPDATE outbound_mails
          SET attempts = attempts + 1, locked_until = now() + make_interval(secs => $2)
        WHERE id = $1 AND status = 'pending' AND (locked_until IS NULL OR locked_until < now())
       RETURNING *`,
      [id, leaseSeconds],
    );
    if (rows.length > 0) return { kind: 'claimed', mail: fromRow(rows[0]) };
    const mail = await this.findById(id);
    if (mail === null) return { kind: 'missing' };
    if (mail.status === 'pending') return { kind: 'busy' };
    return { kind: 'done', status: mail.status };
  }

  /** Sent: keep the record, wipe the variables (a cancel link carries a secret token). */
  async markSent(id: string): Promise<void> {
    await directQuery(
      this.dataSource,
      `UPDATE outbound_mails
          SET status = 'sent', sent_at = now(), vars = NULL, locked_until = NULL, last_error = NULL
        WHERE id = $1 AND status = 'pending'`,
      [id],
    );
  }

  /**
   * Records a failed attempt; `final` gives up on the row (its variables are wiped too: a link
   * that never reached anyone must not linger in plaintext). Otherwise the row stays pending.
   */
  async recordFailure(id: string, error: string, final: boolean): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(OutboundMail)
      .set(
        final
          ? { status: 'failed', lastError: error, lockedUntil: null, vars: null }
          : { lastError: error, lockedUntil: null },
      )
      .where('id = :id', { id })
      .andWhere(`status = 'pending'`)
      .execute();
  }

  /** Pending rows nobody is working on, older than the grace period: the sweeper's input. */
  async findStalePendingIds(olderThanSeconds: number, limit: number): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(OutboundMail)
      .createQueryBuilder('m')
      .select('m.id', 'id')
      .where(`m.status = 'pending'`)
      .andWhere('m.created_at < now() - make_interval(secs => :age)', { age: olderThanSeconds })
      .andWhere('(m.locked_until IS NULL OR m.locked_until < now())')
      .orderBy('m.created_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }
}
