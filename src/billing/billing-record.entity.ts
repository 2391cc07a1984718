import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type BillingKind = 'card' | 'bank_account' | 'student';

/**
 * What pays an organization's subscription, as far as recovery evidence needs it: the last four
 * digits and holder name of a card or bank account, or the student ID of a free academic plan.
 * These values are never shown to agents, written to logs or put in mail.
 */
@Entity('billing_records')
export class BillingRecord {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId: string;

  @Column('text')
  kind: BillingKind;

  @Column('text', { nullable: true })
  last4: string | null;

  @Column('text', { name: 'holder_name', nullable: true })
  holderName: string | null;

  @Column('text', { name: 'student_id', nullable: true })
  studentId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
