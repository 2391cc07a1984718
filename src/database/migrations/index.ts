import { CreateAccountsBillingAudit1764000000000 } from './1764000000000-create-accounts-billing-audit';
import { CreateOutboundMails1764000001000 } from './1764000001000-create-outbound-mails';
import { CreateTwoFactor1764000002000 } from './1764000002000-create-two-factor';
import { CreateInboundMessages1764000003000 } from './1764000003000-create-inbound-messages';
import { CreateRecoveryRequests1764000004000 } from './1764000004000-create-recovery-requests';
import { AddSessionStepUp1764000009000 } from './1764000009000-add-session-step-up';
import { SequenceAuditEvents1764000010000 } from './1764000010000-sequence-audit-events';
import { AddImapIngress1764000020000 } from './1764000020000-add-imap-ingress';
import { CreateSecurityReportLinks1764000030000 } from './1764000030000-create-security-report-links';
import { CreateSecurityEvents1764000040000 } from './1764000040000-create-security-events';

/** Every migration, in order. Each feature appends its own; never edit one that has shipped. */
export const migrations = [
  CreateAccountsBillingAudit1764000000000,
  CreateOutboundMails1764000001000,
  CreateTwoFactor1764000002000,
  CreateInboundMessages1764000003000,
  CreateRecoveryRequests1764000004000,
  AddSessionStepUp1764000009000,
  SequenceAuditEvents1764000010000,
  AddImapIngress1764000020000,
  CreateSecurityReportLinks1764000030000,
  CreateSecurityEvents1764000040000,
];
