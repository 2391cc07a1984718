import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type FactorStatus = 'pending' | 'active' | 'reset_required';
/** As users and admins see it: no factor row at all is `disabled`. */
export type TwoFactorStatus = 'disabled' | FactorStatus;

const bigintAsNumber = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** A user's TOTP factor. Secrets are sealed (secret-box.ts); see the migration for invariants. */
@Entity('two_factor_factors')
export class TwoFactorFactor {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @Column('text')
  status: FactorStatus;

  @Column('bytea', { name: 'secret_ciphertext', nullable: true, select: false })
  secretCiphertext: Buffer | null;

  @Column('bytea', { name: 'secret_iv', nullable: true, select: false })
  secretIv: Buffer | null;

  @Column('bytea', { name: 'secret_tag', nullable: true, select: false })
  secretTag: Buffer | null;

  @Column('text', { name: 'secret_key_id', nullable: true })
  secretKeyId: string | null;

  @Column('bytea', { name: 'pending_ciphertext', nullable: true, select: false })
  pendingCiphertext: Buffer | null;

  @Column('bytea', { name: 'pending_iv', nullable: true, select: false })
  pendingIv: Buffer | null;

  @Column('bytea', { name: 'pending_tag', nullable: true, select: false })
  pendingTag: Buffer | null;

  @Column('text', { name: 'pending_key_id', nullable: true })
  pendingKeyId: string | null;

  @Column('timestamptz', { name: 'pending_started_at', nullable: true })
  pendingStartedAt: Date | null;

  @Column('bigint', { name: 'last_used_step', nullable: true, transformer: bigintAsNumber })
  lastUsedStep: number | null;

  @Column('integer', { name: 'consecutive_failures', default: 0 })
  consecutiveFailures: number;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil: Date | null;

  @Column('timestamptz', { name: 'enabled_at', nullable: true })
  enabledAt: Date | null;

  @Column('timestamptz', { name: 'reset_at', nullable: true })
  resetAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}

@Entity('two_factor_recovery_codes')
export class RecoveryCode {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  @Column('bytea', { name: 'code_hash' })
  codeHash: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'used_at', nullable: true })
  usedAt: Date | null;
}
