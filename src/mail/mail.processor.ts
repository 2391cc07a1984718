import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { AppConfigService } from '../config/app-config.service';
import { QueueName } from '../queue/queue-names';
import { redisOptions } from '../queue/redis-options';
import { MailDeliveryService, PermanentMailError } from './mail-delivery.service';
import { MailJobName, MailQueue, SendMailJobData } from './mail.queue';

/** How often a worker checks that the sweeper's scheduler still exists in Redis. */
const SCHEDULER_CHECK_MS = 10_000;
const CLOSE_TIMEOUT_MS = 15_000;

/**
 * The BullMQ worker of the `mail` queue (worker role only): send jobs and the sweeper. It only
 * routes jobs to MailDeliveryService.
 *
 * The Worker is created here rather than with @Processor: @nestjs/bullmq would hand it the
 * producer queue's connection options (registerQueue: no offline queue, fail fast), while a
 * long-lived consumer should queue its commands and reconnect quietly across a Redis restart.
 */
@Injectable()
export class MailProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MailProcessor.name);
  private worker: Worker | undefined;
  private schedulerTimer: NodeJS.Timeout | undefined;
  private checkingScheduler = false;
  private lastRedisError = { message: '', at: 0 };

  constructor(
    private readonly config: AppConfigService,
    private readonly delivery: MailDeliveryService,
    private readonly queue: MailQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(QueueName.mail, (job: Job) => this.process(job), {
      connection: { ...redisOptions(this.config.get('redisUrl')), maxRetriesPerRequest: null },
      prefix: this.config.get('redisPrefix'),
      concurrency: 5,
    });
    this.worker.on('error', (error) => this.logRedisError(error));
    this.worker.on('failed', (job, error) => {
      if (job?.name === MailJobName.send && error instanceof UnrecoverableError) return; // logged
      this.logger.debug(
        { jobId: job?.id, attempts: job?.attemptsMade, err: error.message },
        'mail job failed',
      );
    });
    void this.ensureSweeper(true);
    // Redis without persistence forgets the scheduler when it restarts: put it back.
    this.schedulerTimer = setInterval(() => void this.ensureSweeper(false), SCHEDULER_CHECK_MS);
    this.schedulerTimer.unref();
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

  /** Drains in-flight sends before the database and Redis clients close. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.schedulerTimer);
    const worker = this.worker;
    if (worker === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
    });
    const result = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') await worker.close(true).catch(() => undefined);
  }

  private async ensureSweeper(force: boolean): Promise<void> {
    if (this.checkingScheduler) return; // a previous check still waits for Redis
    this.checkingScheduler = true;
    try {
      if (force || !(await this.queue.hasSweeper())) await this.queue.upsertSweeper();
    } catch (error) {
      this.logRedisError(error);
    } finally {
      this.checkingScheduler = false;
    }
  }

  /** Redis outages are reported by /health; log each distinct error at most once a minute. */
  private logRedisError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    if (message === this.lastRedisError.message && now - this.lastRedisError.at < 60_000) return;
    this.lastRedisError = { message, at: now };
    this.logger.warn({ err: message }, 'mail worker: Redis unavailable, retrying');
  }
}
