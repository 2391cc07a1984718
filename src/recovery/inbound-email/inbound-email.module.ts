import { Module } from '@nestjs/common';
import { QueueName } from '../../queue/queue-names';
import { registerQueue } from '../../queue/queue.module';
import { InboundEmailQueue } from './inbound-email.queue';
import { InboundMessageStore } from './inbound-message-store.service';
import { InboundMessageRepository } from './inbound-message.repository';
import { InboundMessagesController } from './inbound-messages.controller';
import { InboundMessagesService } from './inbound-messages.service';
import { InboundTokenGuard } from './inbound-token.guard';
import { IngressPool } from './ingress-pool';
import { SmtpIngressServer } from './smtp-ingress.server';

const inboundQueue = registerQueue(QueueName.inboundEmail);

/**
 * The front door of the recovery queue: SMTP ingress (started when ROLES includes smtp), the
 * inbound webhook, durable raw storage and the producer side of the outbox. Processing lives in
 * InboundEmailWorkerModule.
 */
@Module({
  imports: [inboundQueue],
  controllers: [InboundMessagesController],
  providers: [
    IngressPool,
    InboundMessageRepository,
    InboundEmailQueue,
    InboundMessageStore,
    InboundMessagesService,
    InboundTokenGuard,
    SmtpIngressServer,
  ],
  exports: [
    inboundQueue,
    InboundMessageRepository,
    InboundEmailQueue,
    InboundMessageStore,
    InboundMessagesService,
  ],
})
export class InboundEmailModule {}
