import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { ApprovalModule } from '../approval/approval.module';
import { InboundEmailModule } from './inbound-email.module';
import { InboundEmailProcessor } from './inbound-email.processor';
import { InboundMessageProcessingService } from './inbound-message-processing.service';
import { InboundRawPurgeService } from './inbound-raw-purge.service';
import { SenderAuthenticator } from './sender-auth';

/**
 * Processing of inbound mail, the outbox sweeper and the raw purge (ROLES includes worker).
 * Hands each message to ApprovalModule's intake (docs/architecture.md, steps 10–15).
 */
@Module({
  imports: [InboundEmailModule, AuditModule, ApprovalModule],
  providers: [
    InboundEmailProcessor,
    InboundMessageProcessingService,
    SenderAuthenticator,
    InboundRawPurgeService,
  ],
})
export class InboundEmailWorkerModule {}
