import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { AppConfigService } from '../config/app-config.service';
import { QueueConsumer } from '../queue/queue-consumer';
import { QueueName } from '../queue/queue-names';
import { MailDeliveryService, PermanentMailError } from './mail-delivery.service';
import {
  MAIL_CONCURRENCY,
  MailJobName,
  mailRetryDelay,
  SendMailJobData,
  SWEEP_EVERY_MS,
  SWEEPER_ID,
} from './mail.queue';

/**
 * The BullMQ worker of the `mail` queue (worker role only): send jobs and the sweeper. It only
 * routes jobs to MailDeliveryService; QueueConsumer handles connection, outages and shutdown.
 */
@Injectable()
export class MailProcessor extends QueueConsumer {
  constructor(
    config: AppConfigService,
    private readonly delivery: MailDeliveryService,
    @InjectQueue(QueueName.mail) queue: Queue,
  ) {
    super(config, queue, {
      name: QueueName.mail,
      concurrency: MAIL_CONCURRENCY,
      backoff: (attemptsMade) => mailRetryDelay(attemptsMade),
      schedulers: [{ id: SWEEPER_ID, jobName: MailJobName.sweep, everyMs: SWEEP_EVERY_MS }],
      // a permanent failure was already logged by the delivery service
      logFailure: (job, error) =>
        !(job?.name === MailJobName.send && error instanceof UnrecoverableError),
    });
  }

  /** Routes one job; a permanent failure ends the job's retries at once. */
  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case MailJobName.send: {
        const { mailId } = job.data as SendMailJobData;
        const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        try {
          return await this.delivery.deliver(mailId, { finalAttempt });
        } catch (error) {
          if (error instanceof PermanentMailError) throw new UnrecoverableError(error.message);
          throw error;
        }
      }
      case MailJobName.sweep:
        return this.delivery.sweep();
      default:
        throw new UnrecoverableError(`unknown mail job "${job.name}"`);
    }
  }
}
