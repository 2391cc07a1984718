import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AuditActorType = 'user' | 'system' | 'provisioning' | 'mailbox';

/**
 * One append-only audit event. Writers insert it unsequenced (`seq`, `prevHash` and `hash` null);
 * the sequencer (audit-sequencer.ts) integrates it into the hash chain once. The table refuses
 * every other UPDATE, and DELETE and TRUNCATE.
 */
@Entity('audit_events')
export class AuditEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt: Date;

  @Column('text', { name: 'actor_type' })
  actorType: AuditActorType;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId: string | null;

  @Column('text')
  action: string;

  @Column('uuid', { name: 'target_user_id', nullable: true })
  targetUserId: string | null;

  @Column('uuid', { name: 'organization_id', nullable: true })
  organizationId: string | null;

  /** the object acted upon when it is not a user: a recovery request, an inbound message */
  @Column('text', { name: 'subject_id', nullable: true })
  subjectId: string | null;

  @Column('jsonb', { default: {} })
  data: Record<string, unknown>;

  /** position in the hash chain, 1, 2, 3 …; null until the sequencer has integrated the event */
  @Column('bigint', { nullable: true })
  seq: string | null;

  @Column('text', { name: 'prev_hash', nullable: true })
  prevHash: string | null;

  @Column('text', { nullable: true })
  hash: string | null;
}
