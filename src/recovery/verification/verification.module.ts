import { Module } from '@nestjs/common';
import { RecoveryVerificationService } from './recovery-verification.service';
import { SenderRecordsRepository } from './sender-records.repository';

/**
 * From an inbound message to a decision: sender match, eligibility, evidence. Writes nothing;
 * ApprovalModule's intake acts on the decision.
 */
@Module({
  providers: [RecoveryVerificationService, SenderRecordsRepository],
  exports: [RecoveryVerificationService],
})
export class VerificationModule {}
