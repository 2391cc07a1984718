import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module';
import { registerQueue } from '../queue/queue.module';
import { QueueName } from '../queue/queue-names';
import { EventDeliveriesController } from './event-deliveries.controller';
import { SecurityEventQueue } from './security-event-delivery.queue';
import { SecurityEventRepository } from './security-event.repository';
import { SecurityEventService } from './security-event.service';

const securityEventsQueue = registerQueue(QueueName.securityEvents);

/**
 * Security events for other systems, for every role: import this module and call
 * SecurityEventService.record in the transaction of the change. (MailModule provides the
 * after-commit hooks that queue a job once its row is committed.)
 */
@Module({
  imports: [securityEventsQueue, MailModule],
  controllers: [EventDeliveriesController],
  providers: [SecurityEventRepository, SecurityEventQueue, SecurityEventService],
  exports: [securityEventsQueue, SecurityEventService, SecurityEventQueue, SecurityEventRepository],
})
export class EventsModule {}
