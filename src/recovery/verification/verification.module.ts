import { Module } from '@nestjs/common';
import { AccountsModule } from '../../accounts/accounts.module';
import { BillingModule } from '../../billing/billing.module';
import { EnrollmentModule } from '../../enrollment/enrollment.module';
import { RecoveryVerificationService } from './recovery-verification.service';

/**
 * From an inbound message to a decision: sender match, eligibility, evidence. Writes nothing;
 * ApprovalModule's intake acts on the decision.
 */
@Module({
  imports: [AccountsModule, BillingModule, EnrollmentModule],
  providers: [RecoveryVerificationService],
  exports: [RecoveryVerificationService],
})
export class VerificationModule {}
