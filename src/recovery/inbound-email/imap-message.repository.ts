import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import type { ImapLocation } from './inbound-message.repository';

/** What is known of a message found in the mailbox. */
export interface KnownImapMessage {
  id: string;
  state: string;
  reason: string | null;
}

/** Header metadata of a refused message, from the server's ENVELOPE (the body is never fetched). */
export interface RefusedMessage {
  location: ImapLocation;
  size: number;
  fromAddresses: string[];
  subject: string | null;
  messageId: string | null;
}

/** The reason of a message left in the mailbox because it exceeds MAX_MESSAGE_BYTES. */
export const TOO_LARGE_REASON = 'message_too_large';

/** The IMAP ingress's questions to inbound_messages (rows are written by InboundMessageStore). */
@Injectable()
export class ImapMessageRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The row of a message stored (or refused) from exactly this place, if any. */
  async findByLocation(location: ImapLocation): Promise<KnownImapMessage | null> {
    const rows: KnownImapMessage[] = await this.dataSource.query(
      `SELECT id, state, reason FROM inbound_messages
        WHERE imap_mailbox = $1 AND imap_uidvalidity = $2 AND imap_uid = $3`,
      [location.mailbox, location.uidValidity, location.uid],
    );
    return rows[0] ?? null;
  }

  /** A message fetched over IMAP before with exactly these bytes (dragged back, new UIDVALIDITY). */
  async findCopy(rawSha256: Buffer): Promise<string | null> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM inbound_messages WHERE source = 'imap' AND raw_sha256 = $1
        ORDER BY received_at LIMIT 1`,
      [rawSha256],
    );
    return rows[0]?.id ?? null;
  }

  /** The UIDVALIDITY this mailbox had when a message was last taken from it. */
  async lastUidValidity(mailbox: string): Promise<string | null> {
    const rows: { uidvalidity: string }[] = await this.dataSource.query(
      `SELECT imap_uidvalidity AS uidvalidity FROM inbound_messages
        WHERE imap_mailbox = $1 ORDER BY received_at DESC LIMIT 1`,
      [mailbox],
    );
    return rows[0]?.uidvalidity ?? null;
  }

  /**
   * Records a message refused for its size, once per place: state failed, no bytes (an empty
   * digest, which no real message has), the header metadata agents see, an audit event.
   */
  async recordRefused(message: RefusedMessage): Promise<string | null> {
    return this.dataSource.transaction(async (tx) => {
      const rows: { id: string }[] = await tx.query(
        `INSERT INTO inbound_messages
           (source, rcpt_to, raw, raw_size, raw_sha256, state, reason, processed_at,
            from_addresses, subject, message_id_header, imap_mailbox, imap_uidvalidity, imap_uid)
         VALUES ('imap', '{}', NULL, $1, '\\x', 'failed', $2, now(), $3, $4, $5, $6, $7, $8)
         ON CONFLICT (imap_mailbox, imap_uidvalidity, imap_uid) WHERE imap_uid IS NOT NULL
           DO NOTHING
         RETURNING id`,
        [
          Math.min(message.size, 2 ** 31 - 1),
          TOO_LARGE_REASON,
          message.fromAddresses,
          message.subject,
          message.messageId,
          message.location.mailbox,
          message.location.uidValidity,
          message.location.uid,
        ],
      );
      const id = rows[0]?.id;
      if (id === undefined) return null;
      await this.audit.record(
        {
          actor: { type: 'system' },
          action: 'inbound_message.failed',
          subjectId: id,
          data: { reason: TOO_LARGE_REASON, decision: null, senderAuth: null },
        },
        tx,
      );
      return id;
    });
  }
}
