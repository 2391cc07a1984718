import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import {
  InboundMessage,
  InboundMessageSource,
  InboundMessageState,
} from './inbound-message.entity';

export interface NewInboundMessage {
  source: InboundMessageSource;
  clientIp: string | null;
  clientHelo: string | null;
  mailFrom: string | null;
  rcptTo: string[];
  raw: Buffer;
  /** source imap: where the message was found */
  imap?: ImapLocation;
}

/** A message's place in an IMAP mailbox; UIDs are only unique within one UIDVALIDITY. */
export interface ImapLocation {
  mailbox: string;
  uidValidity: string;
  uid: string;
}

/** A stored row with the bytes needed to process it. */
export type StoredInboundMessage = InboundMessage & { raw: Buffer; rawSha256: Buffer };

export type FinalUpdate = Partial<
  Pick<
    InboundMessage,
    | 'reason'
    | 'decision'
    | 'authentication'
    | 'fromAddresses'
    | 'subject'
    | 'messageIdHeader'
    | 'inReplyTo'
    | 'referencesHeader'
    | 'attachments'
    | 'dedupeKey'
    | 'duplicateOf'
    | 'recoveryRequestId'
    | 'lastError'
  >
> & { state: Exclude<InboundMessageState, 'stored'> };

/** Longest a storing INSERT may take before SMTP answers 451 instead of keeping the client. */
const STORE_STATEMENT_TIMEOUT = '30s';

@Injectable()
export class InboundMessageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Commits the raw bytes and envelope in one INSERT and returns the id. The bytes travel as one
   * binary parameter (no hex copy); callers bound them by MAX_MESSAGE_BYTES before getting here.
   */
  async insert(message: NewInboundMessage): Promise<string> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SET LOCAL statement_timeout = '${STORE_STATEMENT_TIMEOUT}'`);
      // an IMAP message already stored from the same place keeps its row (and its one outcome):
      // the no-op update makes RETURNING name the existing id
      const rows: { id: string }[] = await tx.query(
        `INSERT INTO inbound_messages
           (source, client_ip, client_helo, mail_from, rcpt_to, raw, raw_size, raw_sha256,
            imap_mailbox, imap_uidvalidity, imap_uid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (imap_mailbox, imap_uidvalidity, imap_uid) WHERE imap_uid IS NOT NULL
           DO UPDATE SET imap_uid = inbound_messages.imap_uid
         RETURNING id`,
        [
          message.source,
          message.clientIp,
          message.clientHelo,
          message.mailFrom,
          message.rcptTo,
          message.raw,
          message.raw.length,
          createHash('sha256').update(message.raw).digest(),
          message.imap?.mailbox ?? null,
          message.imap?.uidValidity ?? null,
          message.imap?.uid ?? null,
        ],
      );
      return rows[0].id;
    });
  }

  /** Counts an attempt and returns the row when it still waits for processing. */
  async startAttempt(id: string): Promise<StoredInboundMessage | null> {
    const counted: unknown[] = await this.dataSource.query(
      `UPDATE inbound_messages SET attempts = attempts + 1 WHERE id = $1 AND state = 'stored' RETURNING id`,
      [id],
    );
    // TypeORM returns [rows, affected] for UPDATE … RETURNING on PostgreSQL
    const rows = (Array.isArray(counted[0]) ? counted[0] : counted) as unknown[];
    if (rows.length === 0) return null;
    return this.dataSource
      .getRepository(InboundMessage)
      .createQueryBuilder('m')
      .addSelect(['m.raw', 'm.rawSha256'])
      .where('m.id = :id', { id })
      .getOne() as Promise<StoredInboundMessage | null>;
  }

  /** Locks the row for the rest of the transaction; false when it is no longer `stored`. */
  async lockStored(manager: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM inbound_messages WHERE id = $1 AND state = 'stored' FOR UPDATE`,
      [id],
    );
    return rows.length > 0;
  }

  /**
   * Serializes deciders of the same outcome key for the rest of the transaction and returns the
   * message that already holds it, if any. The unique index on dedupe_key is the backstop.
   */
  async lockOutcomeKey(manager: EntityManager, key: string): Promise<string | null> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 4711))`, [key]);
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM inbound_messages WHERE dedupe_key = $1`,
      [key],
    );
    return rows[0]?.id ?? null;
  }

  async finish(manager: EntityManager, id: string, update: FinalUpdate): Promise<void> {
    await manager
      .getRepository(InboundMessage)
      .update({ id, state: 'stored' }, { ...update, processedAt: new Date() });
  }

  async recordError(id: string, error: string): Promise<void> {
    await this.dataSource.query(`UPDATE inbound_messages SET last_error = $2 WHERE id = $1`, [
      id,
      error.slice(0, 1000),
    ]);
  }

  /** Ids of rows still waiting, oldest first (the outbox sweeper's scan). */
  async storedIds(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM inbound_messages WHERE state = 'stored' ORDER BY received_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Drops the raw bytes of finished messages older than the retention period, a batch at a
   * time; metadata, decision and authentication result stay. Returns how many were purged.
   */
  async purgeRaw(retentionDays: number, batchSize: number): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `UPDATE inbound_messages SET raw = NULL, raw_purged_at = now()
       WHERE id IN (
         SELECT id FROM inbound_messages
         WHERE raw IS NOT NULL AND state <> 'stored'
           AND received_at < now() - make_interval(days => $1)
         LIMIT $2)`,
      [retentionDays, batchSize],
    );
    return result[1];
  }

  async list(query: {
    state?: InboundMessageState;
    page: number;
    pageSize: number;
  }): Promise<{ items: InboundMessage[]; total: number }> {
    const builder = this.dataSource
      .getRepository(InboundMessage)
      .createQueryBuilder('m')
      .orderBy('m.receivedAt', 'DESC')
      .addOrderBy('m.id', 'DESC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.state !== undefined) builder.where('m.state = :state', { state: query.state });
    const [items, total] = await builder.getManyAndCount();
    return { items, total };
  }
}
