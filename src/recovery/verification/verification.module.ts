import { Module } from '@nestjs/common';
import { AccountsModule } from '../../accounts/accounts.module';
import { AuditModule } from '../../audit/audit.module';
import { EnrollmentModule } from '../../enrollment/enrollment.module';
import { MailModule } from '../../mail/mail.module';
import { ApprovalModule } from '../approval/approval.module';
import { RecoveryVerificationService } from './recovery-verification.service';
import { RiskSignalsService } from './risk-signals.service';

/** From an authenticated message to a request: sender match, eligibility, evidence, risk. */
@Module({
  imports: [AccountsModule, AuditModule, EnrollmentModule, MailModule, ApprovalModule],
  providers: [RecoveryVerificationService, RiskSignalsService],
  exports: [RecoveryVerificationService],
})
export class VerificationModule {}
