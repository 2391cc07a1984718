import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { SecurityEventType } from './security-event-body';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One security event and its delivery (see the migration 1764000040000). */
@Entity('security_events')
export class SecurityEvent {
  /** the event id in the body, the `webhook-id` of every attempt and the BullMQ job id */
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  type: SecurityEventType;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt: Date;

  @Column('uuid', { name: 'organization_id', nullable: true })
  organizationId: string | null;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  @Column('uuid', { name: 'request_id', nullable: true })
  requestId: string | null;

  @Column('text', { name: 'actor_type' })
  actorType: string;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId: string | null;

  /** the exact bytes signed and sent, the same on every attempt */
  @Column('text')
  body: string;

  @Column('text', { default: 'pending' })
  status: DeliveryStatus;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column('timestamptz', { name: 'last_attempt_at', nullable: true })
  lastAttemptAt: Date | null;

  /** when the next try is due after a failure; the sweeper leaves the row alone until then */
  @Column('timestamptz', { name: 'next_attempt_at', nullable: true })
  nextAttemptAt: Date | null;

  /** the receiver's HTTP status of the last attempt, null when it gave none */
  @Column('integer', { name: 'last_status', nullable: true })
  lastStatus: number | null;

  /** what went wrong last: a status or a network error, never a response body */
  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  /** a worker holds the row until then while it talks to the receiver */
  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil: Date | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
