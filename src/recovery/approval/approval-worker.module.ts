import { Module } from '@nestjs/common';
import { ApprovalModule } from './approval.module';
import { RecoveryResetProcessor } from './recovery-reset.processor';

/** The reset job, request expiry and the reset sweeper (ROLES includes worker). */
@Module({
  imports: [ApprovalModule],
  providers: [RecoveryResetProcessor],
})
export class ApprovalWorkerModule {}
