import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SenderAuthentication } from './sender-auth-decision';

export type InboundMessageState = 'stored' | 'processed' | 'ignored' | 'failed';
export type InboundMessageSource = 'smtp' | 'webhook' | 'imap';

export interface AttachmentSummary {
  filename: string | null;
  contentType: string;
  size: number;
}

/**
 * One received message: the raw bytes and envelope committed before the sender was told "250",
 * then its processing state, decision and the header metadata agents see. Bodies are never copied
 * out of `raw`; whoever needs them re-parses the raw bytes (until they are purged).
 */
@Entity('inbound_messages')
export class InboundMessage {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @Column('text')
  source: InboundMessageSource;

  @Column('text', { name: 'client_ip', nullable: true })
  clientIp: string | null;

  @Column('text', { name: 'client_helo', nullable: true })
  clientHelo: string | null;

  /** '' is the null reverse-path `<>`; null when the webhook caller did not give one */
  @Column('text', { name: 'mail_from', nullable: true })
  mailFrom: string | null;

  @Column('text', { name: 'rcpt_to', array: true })
  rcptTo: string[];

  /** never selected unless asked for: lists and views must not carry message bodies */
  @Column('bytea', { nullable: true, select: false })
  raw: Buffer | null;

  @Column('integer', { name: 'raw_size' })
  rawSize: number;

  @Column('bytea', { name: 'raw_sha256', select: false })
  rawSha256: Buffer;

  @Column('timestamptz', { name: 'raw_purged_at', nullable: true })
  rawPurgedAt: Date | null;

  @Column('text')
  state: InboundMessageState;

  @Column('text', { nullable: true })
  reason: string | null;

  @Column('integer')
  attempts: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('timestamptz', { name: 'processed_at', nullable: true })
  processedAt: Date | null;

  @Column('text', { name: 'from_addresses', array: true, nullable: true })
  fromAddresses: string[] | null;

  @Column('text', { nullable: true })
  subject: string | null;

  @Column('text', { name: 'message_id_header', nullable: true })
  messageIdHeader: string | null;

  @Column('text', { name: 'in_reply_to', nullable: true })
  inReplyTo: string | null;

  @Column('text', { name: 'references_header', nullable: true })
  referencesHeader: string | null;

  @Column('jsonb', { nullable: true })
  attachments: AttachmentSummary[] | null;

  @Column('jsonb', { nullable: true })
  authentication: SenderAuthentication | null;

  @Column('text', { nullable: true })
  decision: string | null;

  @Column('text', { name: 'dedupe_key', nullable: true })
  dedupeKey: string | null;

  @Column('uuid', { name: 'duplicate_of', nullable: true })
  duplicateOf: string | null;

  @Column('uuid', { name: 'recovery_request_id', nullable: true })
  recoveryRequestId: string | null;

  /** where an IMAP message was found (source imap); null for SMTP and the webhook */
  @Column('text', { name: 'imap_mailbox', nullable: true })
  imapMailbox: string | null;

  /** bigint: PostgreSQL's driver hands it over as a string */
  @Column('bigint', { name: 'imap_uidvalidity', nullable: true })
  imapUidValidity: string | null;

  @Column('bigint', { name: 'imap_uid', nullable: true })
  imapUid: string | null;
}
