import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { AppConfigService } from '../config/app-config.service';
import { QueueConsumer } from '../queue/queue-consumer';
import { QueueName } from '../queue/queue-names';
import { SecurityEventDeliveryService } from './security-event-delivery.service';
import {
  DeliverEventJobData,
  EVENT_SWEEP_EVERY_MS,
  EVENT_SWEEPER_ID,
  EventJobName,
  eventRetryDelay,
} from './security-event-delivery.queue';

/**
 * The BullMQ worker of the `security-events` queue (worker role only): deliveries and the
 * sweeper. It only routes jobs to SecurityEventDeliveryService.
 */
@Injectable()
export class SecurityEventProcessor extends QueueConsumer {
  constructor(
    config: AppConfigService,
    private readonly delivery: SecurityEventDeliveryService,
    @InjectQueue(QueueName.securityEvents) queue: Queue,
  ) {
    const nodeEnv = config.get('nodeEnv');
    super(config, queue, {
      name: QueueName.securityEvents,
      concurrency: 5,
      backoff: (attemptsMade) => eventRetryDelay(attemptsMade, nodeEnv),
      schedulers: [
        { id: EVENT_SWEEPER_ID, jobName: EventJobName.sweep, everyMs: EVENT_SWEEP_EVERY_MS },
      ],
      // each failed attempt was already logged by the delivery service
      logFailure: (job) => job?.name !== EventJobName.deliver,
    });
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case EventJobName.deliver: {
        const { eventId } = job.data as DeliverEventJobData;
        const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.delivery.deliver(eventId, { finalAttempt });
      }
      case EventJobName.sweep:
        return this.delivery.sweep();
      default:
        throw new UnrecoverableError(`unknown security-events job "${job.name}"`);
    }
  }
}
