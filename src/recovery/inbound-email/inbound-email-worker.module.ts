import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { InboundEmailModule } from './inbound-email.module';
import { InboundEmailProcessor } from './inbound-email.processor';
import { InboundMessageProcessingService } from './inbound-message-processing.service';
import { InboundMessageHandler, RecordingInboundMessageHandler } from './inbound-message.handler';
import { InboundRawPurgeService } from './inbound-raw-purge.service';
import { SenderAuthenticator } from './sender-auth';

/** Processing of inbound mail, the outbox sweeper and the raw purge (ROLES includes worker). */
@Module({
  imports: [InboundEmailModule, AuditModule],
  providers: [
    InboundEmailProcessor,
    InboundMessageProcessingService,
    SenderAuthenticator,
    InboundRawPurgeService,
    // the hand-off to the recovery verification: issue 5 puts its handler here
    { provide: InboundMessageHandler, useClass: RecordingInboundMessageHandler },
  ],
})
export class InboundEmailWorkerModule {}
