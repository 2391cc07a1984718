import { Module } from '@nestjs/common';
import { AccountsModule } from '../../accounts/accounts.module';
import { AdminResetModule } from '../../admin-reset/admin-reset.module';
import { AuditModule } from '../../audit/audit.module';
import { EnrollmentModule } from '../../enrollment/enrollment.module';
import { EventsModule } from '../../events/events.module';
import { MailModule } from '../../mail/mail.module';
import { QueueName } from '../../queue/queue-names';
import { registerQueue } from '../../queue/queue.module';
import { SignInModule } from '../../sign-in/sign-in.module';
import { VerificationModule } from '../verification/verification.module';
import { RecoveryDecisionService } from './recovery-decision.service';
import { RecoveryIntakeService } from './recovery-intake.service';
import { RecoveryRequestRepository } from './recovery-request.repository';
import {
  OrganizationRecoveryController,
  RecoveryCancelController,
  RecoveryRequestsController,
} from './recovery-requests.controller';
import { RecoveryRequestsService } from './recovery-requests.service';
import { RecoveryResetQueue } from './recovery-reset.queue';
import { RiskSignalsService } from './risk-signals.service';

const resetQueue = registerQueue(QueueName.recoveryReset);

/**
 * Recovery requests: the intake of verified messages, the agents' API, decisions, cancellation,
 * the reset.
 */
@Module({
  imports: [
    resetQueue,
    AccountsModule,
    AdminResetModule,
    AuditModule,
    EnrollmentModule,
    EventsModule,
    MailModule,
    SignInModule,
    VerificationModule,
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
    RecoveryIntakeService,
    RecoveryResetQueue,
    RiskSignalsService,
  ],
  exports: [
    resetQueue,
    RecoveryRequestRepository,
    RecoveryRequestsService,
    RecoveryDecisionService,
    RecoveryIntakeService,
    RecoveryResetQueue,
  ],
})
export class ApprovalModule {}
