import { Organization } from '../accounts/organization.entity';
import { SecurityReportLink } from '../accounts/security-report-link.entity';
import { Session } from '../accounts/session.entity';
import { User } from '../accounts/user.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { BillingRecord } from '../billing/billing-record.entity';
import { InboundMessage } from '../recovery/inbound-email/inbound-message.entity';
import { RecoveryCode, TwoFactorFactor } from '../enrollment/two-factor.entity';
import { SignInChallenge } from '../sign-in/sign-in-challenge.entity';
import { OutboundMail } from '../mail/outbound-mail.entity';
import { SecurityEvent } from '../events/security-event.entity';
import { RecoveryApproval } from '../recovery/approval/recovery-approval.entity';
import { RecoveryRequest } from '../recovery/approval/recovery-request.entity';

/** Every entity, listed once for the data source (explicit lists work the same under Jest and node). */
export const entities = [
  Organization,
  User,
  Session,
  BillingRecord,
  AuditEvent,
  TwoFactorFactor,
  RecoveryCode,
  SignInChallenge,
  OutboundMail,
  InboundMessage,
  RecoveryRequest,
  RecoveryApproval,
  SecurityReportLink,
  SecurityEvent,
];
