import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { IngressPool } from './ingress-pool';
import {
  InboundMessage,
  InboundMessageSource,
  InboundMessageState,
} from './inbound-message.entity';
import { directQuery } from '../../database/direct-query';

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

/** A stored row with what processing needs: envelope, bytes, attempts. */
export type StoredInboundMessage = Pick<
  InboundMessage,
  'id' | 'source' | 'receivedAt' | 'clientIp' | 'clientHelo' | 'mailFrom' | 'attempts'
> & { raw: Buffer; rawSha256: Buffer };

/** The columns of inbound_messages that a final update may set, by FinalUpdate field. */
const FINAL_COLUMNS: Record<Exclude<keyof FinalUpdate, 'state'>, [string, 'jsonb' | null]> = {
  reason: ['reason', null],
  decision: ['decision', null],
  authentication: ['authentication', 'jsonb'],
  fromAddresses: ['from_addresses', null],
  subject: ['subject', null],
  messageIdHeader: ['message_id_header', null],
  inReplyTo: ['in_reply_to', null],
  referencesHeader: ['references_header', null],
  attachments: ['attachments', 'jsonb'],
  dedupeKey: ['dedupe_key', null],
  duplicateOf: ['duplicate_of', null],
  recoveryRequestId: ['recovery_request_id', null],
  lastError: ['last_error', null],
};

@Injectable()
export class InboundMessageRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ingress: IngressPool,
  ) {}

  /**
   * Commits the raw bytes and envelope in one autocommitted INSERT (one round trip, bounded in
   * time by the ingress pool) and returns the id. The bytes travel as one binary parameter (no
   * hex copy); callers bound them by MAX_MESSAGE_BYTES before getting here.
   */
  async insert(message: NewInboundMessage): Promise<string> {
    // an IMAP message already stored from the same place keeps its row (and its one outcome):
    // the no-op update makes RETURNING name the existing id
    const rows = await this.ingress.query<{ id: string }>(
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
  }

  /**
   * Counts an attempt and returns the row when it still waits for processing: one statement
   * (the row's bytes come back with the guarded UPDATE).
   */
  async startAttempt(id: string): Promise<StoredInboundMessage | null> {
    const rows = await directQuery<{
      id: string;
      source: InboundMessage['source'];
      received_at: Date;
      client_ip: string | null;
      client_helo: string | null;
      mail_from: string | null;
      attempts: number;
      raw: Buffer;
      raw_sha256: Buffer;
    }>(
      this.dataSource,
      `UPDATE inbound_messages SET attempts = attempts + 1
        WHERE id = $1 AND state = 'stored'
       RETURNING id, source, received_at, client_ip, client_helo, mail_from, attempts, raw,
                 raw_sha256`,
      [id],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    return {
      id: row.id,
      source: row.source,
      receivedAt: row.received_at,
      clientIp: row.client_ip,
      clientHelo: row.client_helo,
      mailFrom: row.mail_from,
      attempts: row.attempts,
      raw: row.raw,
      rawSha256: row.raw_sha256,
    };
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
   * Locks the row (it must still be `stored`) and then the outcome key, in one statement, for
   * the rest of the transaction; the key serializes deciders of the same outcome. Returns false
   * when the row is no longer `stored` (the key is then not taken).
   */
  async lockForDecision(manager: EntityManager, id: string, key: string): Promise<boolean> {
    // a CTE with FOR UPDATE is never inlined: the row is locked before the key is asked for
    const rows: unknown[] = await manager.query(
      `WITH locked AS (
         SELECT id FROM inbound_messages WHERE id = $1 AND state = 'stored' FOR UPDATE)
       SELECT pg_advisory_xact_lock(hashtextextended($2, 4711)) FROM locked`,
      [id, key],
    );
    return rows.length > 0;
  }

  /**
   * The message that already holds an outcome key, if any. Asked after lockForDecision, in a
   * statement of its own, so that it sees what the previous holder of the key committed. The
   * unique index on dedupe_key is the backstop.
   */
  async outcomeKeyHolder(manager: EntityManager, key: string): Promise<string | null> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM inbound_messages WHERE dedupe_key = $1`,
      [key],
    );
    return rows[0]?.id ?? null;
  }

  /** The final state, guarded by `state = 'stored'`: one UPDATE of the fields given. */
  async finish(manager: EntityManager, id: string, update: FinalUpdate): Promise<void> {
    const sets = ['state = $2', 'processed_at = now()'];
    const values: unknown[] = [id, update.state];
    for (const [field, [column, type]] of Object.entries(FINAL_COLUMNS)) {
      const value = update[field as keyof typeof FINAL_COLUMNS];
      if (value === undefined) continue;
      values.push(type === 'jsonb' && value !== null ? JSON.stringify(value) : value);
      sets.push(`${column} = $${values.length}`);
    }
    await manager.query(
      `UPDATE inbound_messages SET ${sets.join(', ')} WHERE id = $1 AND state = 'stored'`,
      values,
    );
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
