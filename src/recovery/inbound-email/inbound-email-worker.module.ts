import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { InboundEmailModule } from './inbound-email.module';
import { InboundEmailProcessor } from './inbound-email.processor';
import { InboundMessageProcessingService } from './inbound-message-processing.service';
import { RecoveryVerificationService } from '../verification/recovery-verification.service';
import { VerificationModule } from '../verification/verification.module';
import { InboundMessageHandler } from './inbound-message.handler';
import { InboundRawPurgeService } from './inbound-raw-purge.service';
import { SenderAuthenticator } from './sender-auth';

/** Processing of inbound mail, the outbox sweeper and the raw purge (ROLES includes worker). */
@Module({
  imports: [InboundEmailModule, AuditModule, VerificationModule],
  providers: [
    InboundEmailProcessor,
    InboundMessageProcessingService,
    SenderAuthenticator,
    InboundRawPurgeService,
    // the hand-off to the recovery verification (docs/architecture.md, steps 10–15)
    { provide: InboundMessageHandler, useExisting: RecoveryVerificationService },
  ],
})
export class InboundEmailWorkerModule {}
