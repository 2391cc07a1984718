import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The changes to a holder's own sign-in whose mail carries a "this wasn't me" link. */
export const REPORTED_EVENTS = [
  'two_factor_enabled',
  'two_factor_reset_by_admin',
  'recovery_received',
  'recovery_approved',
] as const;
export type ReportedEvent = (typeof REPORTED_EVENTS)[number];

/**
 * One "this wasn't me" link: issued with the mail that tells the holder of a change, used at most
 * once. Only the SHA-256 of its token is stored. Once used it is the report itself: `reportedAt`,
 * and `frozenUntil`, the end of the freeze of e-mail recovery it started.
 */
@Entity('security_report_links')
export class SecurityReportLink {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  @Column('bytea', { name: 'token_hash', select: false })
  tokenHash: Buffer;

  @Column('text')
  event: ReportedEvent;

  /** when the change happened (shown on the report page) */
  @Column('timestamptz', { name: 'event_at' })
  eventAt: Date;

  /** the recovery request the mail was about, if any */
  @Column('uuid', { name: 'request_id', nullable: true })
  requestId: string | null;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'reported_at', nullable: true })
  reportedAt: Date | null;

  @Column('timestamptz', { name: 'frozen_until', nullable: true })
  frozenUntil: Date | null;
}
