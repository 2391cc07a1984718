import { Module } from '@nestjs/common';
import { AccountsModule } from '../../accounts/accounts.module';
import { AdminResetModule } from '../../admin-reset/admin-reset.module';
import { AuditModule } from '../../audit/audit.module';
import { EnrollmentModule } from '../../enrollment/enrollment.module';
import { MailModule } from '../../mail/mail.module';
import { QueueName } from '../../queue/queue-names';
import { registerQueue } from '../../queue/queue.module';
import { SignInModule } from '../../sign-in/sign-in.module';
import { RecoveryDecisionService } from './recovery-decision.service';
import { RecoveryRequestRepository } from './recovery-request.repository';
import {
  OrganizationRecoveryController,
  RecoveryCancelController,
  RecoveryRequestsController,
} from './recovery-requests.controller';
import { RecoveryRequestsService } from './recovery-requests.service';
import { RecoveryResetQueue } from './recovery-reset.queue';

const resetQueue = registerQueue(QueueName.recoveryReset);

/** Recovery requests after verification: the agents' API, decisions, cancellation, the reset. */
@Module({
  imports: [
    resetQueue,
    AccountsModule,
    AdminResetModule,
    AuditModule,
    EnrollmentModule,
    MailModule,
    SignInModule,
  ],
  controllers: [
    RecoveryRequestsController,
    RecoveryCancelController,
    OrganizationRecoveryController,
  ],
  providers: [
    RecoveryRequestRepository,
    RecoveryRequestsService,
    RecoveryDecisionService,
    RecoveryResetQueue,
  ],
  exports: [
    resetQueue,
    RecoveryRequestRepository,
    RecoveryRequestsService,
    RecoveryDecisionService,
    RecoveryResetQueue,
  ],
})
export class ApprovalModule {}
