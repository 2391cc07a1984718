import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { UserRole } from '../../accounts/user.entity';
import type { RequestChecks } from '../verification/verification-decision';

export const REQUEST_STATUSES = [
  'awaiting_approval',
  'approved',
  'completed',
  'denied',
  'cancelled',
  'expired',
  'rejected',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Why a request was rejected: the names are part of the API. */
export const REJECTION_REASONS = [
  'sender_not_authenticated',
  'ambiguous_sender',
  'unknown_sender',
  'no_active_2fa',
  'no_evidence',
  'evidence_mismatch',
  'ambiguous_evidence',
  'rate_limited',
  'duplicate_request',
  // the holder said "this wasn't me" less than REPORT_FREEZE_DAYS ago: never answered
  'account_frozen',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Rejections that count towards the 3-per-24-hours evidence-failure limit. */
export const EVIDENCE_FAILURES: RejectionReason[] = [
  'no_evidence',
  'evidence_mismatch',
  'ambiguous_evidence',
];

export interface RiskSignals {
  targetRole: UserRole;
  localAdminsWith2fa: number;
  requestsLast30Days: number;
  accountAgeDays: number;
}

/**
 * The risk signals as an agent reads them: those stored at intake (none for a rejected request),
 * and the holder's "this wasn't me" reports of the last 30 days, counted when the request is shown.
 */
export type RiskSignalsView = Partial<RiskSignals> & { reportsLast30Days: number };

@Entity('recovery_requests')
export class RecoveryRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** one request per inbound message: processing a message twice yields one request */
  @Column('uuid', { name: 'inbound_message_id' })
  inboundMessageId: string;

  @Column('text')
  status: RequestStatus;

  @Column('text', { nullable: true })
  reason: RejectionReason | null;

  @Column('text')
  sender: string;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId: string | null;

  @Column('uuid', { name: 'organization_id', nullable: true })
  organizationId: string | null;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @Column('timestamptz', { name: 'decided_at', nullable: true })
  decidedAt: Date | null;

  @Column('uuid', { name: 'decided_by', nullable: true })
  decidedBy: string | null;

  @Column('jsonb')
  checks: RequestChecks;

  @Column('jsonb', { nullable: true })
  risk: RiskSignals | null;

  @Column('int', { name: 'approvals_required' })
  approvalsRequired: number;

  @Column('text', { nullable: true })
  subject: string | null;

  /** visible text with card numbers, IBANs and every evidence value masked */
  @Column('text', { name: 'body_excerpt', nullable: true })
  bodyExcerpt: string | null;

  /** SHA-256 of the mailbox owner's single-use cancel token */
  @Column('bytea', { name: 'cancel_token_hash', nullable: true, select: false })
  cancelTokenHash: Buffer | null;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { name: 'executes_at', nullable: true })
  executesAt: Date | null;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt: Date | null;

  @Column('text', { name: 'deny_reason', nullable: true })
  denyReason: string | null;

  /** Message-ID of the inbound mail, for threading replies */
  @Column('text', { name: 'message_id_header', nullable: true })
  messageIdHeader: string | null;

  @Column('text', { name: 'references_header', nullable: true })
  referencesHeader: string | null;
}
