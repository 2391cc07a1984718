import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One agent's approval; the primary key makes "no agent approves twice" a database fact. */
@Entity('recovery_approvals')
export class RecoveryApproval {
  @PrimaryColumn('uuid', { name: 'request_id' })
  requestId: string;

  @PrimaryColumn('uuid', { name: 'agent_id' })
  agentId: string;

  @Column('timestamptz', { name: 'approved_at' })
  approvedAt: Date;

  @Column('text', { nullable: true })
  note: string | null;
}
