import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { AppConfigService } from '../config/app-config.service';
import { QueueName } from '../queue/queue-names';
import { QueueWorker } from '../queue/queue-worker';
import { MailDeliveryService, PermanentMailError } from './mail-delivery.service';
import {
  MailJobName,
  mailRetryDelay,
  SendMailJobData,
  SWEEP_EVERY_MS,
  SWEEPER_ID,
} from './mail.queue';

/**
 * The BullMQ worker of the `mail` queue (worker role only): send jobs and the sweeper. It only
 * routes jobs to MailDeliveryService; QueueWorker handles connection, outages and shutdown.
 */
@Injectable()
export class MailProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MailProcessor.name);
  private worker: QueueWorker | undefined;

  constructor(
    private readonly config: AppConfigService,
    private readonly delivery: MailDeliveryService,
    @InjectQueue(QueueName.mail) private readonly queue: Queue,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new QueueWorker(this.config.values, {
      name: QueueName.mail,
      concurrency: 5,
      process: (job) => this.process(job),
      backoff: (attemptsMade) => mailRetryDelay(attemptsMade),
      queue: this.queue,
      schedulers: [{ id: SWEEPER_ID, jobName: MailJobName.sweep, everyMs: SWEEP_EVERY_MS }],
      logger: this.logger,
      // a permanent failure was already logged by the delivery service
      logFailure: (job, error) =>
        !(job?.name === MailJobName.send && error instanceof UnrecoverableError),
    });
  }

  /** Drains in-flight sends before the database and Redis clients close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
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
