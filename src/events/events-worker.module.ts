import { Module } from '@nestjs/common';
import { EventsModule } from './events.module';
import { SecurityEventDeliveryService } from './security-event-delivery.service';
import { SecurityEventProcessor } from './security-event.processor';

/** The security-event worker (ROLES includes worker): signed deliveries, retries, the sweeper. */
@Module({
  imports: [EventsModule],
  providers: [SecurityEventDeliveryService, SecurityEventProcessor],
  exports: [SecurityEventDeliveryService],
})
export class EventsWorkerModule {}
