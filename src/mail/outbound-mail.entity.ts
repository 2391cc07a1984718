import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type OutboundMailStatus = 'pending' | 'sent' | 'failed';

/** One outbound message: queued in the caller's transaction, sent by the mail worker. */
@Entity('outbound_mails')
export class OutboundMail {
  /** chosen by the application, also the BullMQ job id (re-enqueueing the same row is harmless) */
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  template: string;

  @Column('text', { name: 'to_address' })
  toAddress: string;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId: string | null;

  @Column('text')
  locale: 'sv' | 'en';

  /** template variables until the mail is sent or has failed; null afterwards */
  @Column('jsonb', { nullable: true })
  vars: Record<string, string> | null;

  @Column('text', { name: 'in_reply_to', nullable: true })
  inReplyTo: string | null;

  @Column('text', { name: 'reference_ids', array: true, default: () => "'{}'" })
  referenceIds: string[];

  @Column('boolean', { name: 'auto_reply', default: false })
  autoReply: boolean;

  @Column('text', { default: 'pending' })
  status: OutboundMailStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  /** what went wrong last, never with a template variable in it */
  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  /** our own Message-ID (with angle brackets), set at enqueue so a resend keeps it */
  @Column('text', { name: 'message_id' })
  messageId: string;

  /** a worker holds the row until then while it talks to the mail server */
  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt: Date | null;
}
