import { InjectQueue } from '@nestjs/bullmq';
import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service';
import { QueueName } from '../../queue/queue-names';
import { redisOptions } from '../../queue/redis-options';
import {
  InboundEmailQueue,
  ProcessJobData,
  PROCESS_JOB,
  PURGE_JOB,
  SWEEP_JOB,
} from './inbound-email.queue';
import { InboundMessageProcessingService } from './inbound-message-processing.service';
import { InboundMessageRepository } from './inbound-message.repository';
import { InboundRawPurgeService } from './inbound-raw-purge.service';

/** The outbox sweeper: how often rows left `stored` are re-enqueued. */
export const SWEEP_EVERY_MS = 15_000;
/** How often raw bytes past RAW_RETENTION_DAYS are purged. */
export const PURGE_EVERY_MS = 60 * 60 * 1000;
/** How often the schedulers' presence in Redis is checked. */
const SCHEDULER_CHECK_MS = 10_000;
/** Rows re-enqueued per sweep (the next sweep takes the rest). */
const SWEEP_BATCH = 1000;
/** Parsing is CPU-bound and authentication waits on DNS: a few at a time per worker process. */
const CONCURRENCY = 4;
/** Graceful shutdown waits this long for jobs in flight before closing harder. */
const CLOSE_TIMEOUT_MS = 15_000;

/**
 * The worker of the inbound-email queue (worker role only): processes messages, and runs the
 * outbox sweeper and the raw-bytes purge on BullMQ job schedulers. Only routes jobs to services.
 *
 * The Worker is built here rather than with @Processor, which would hand it the producer queue's
 * fail-fast connection (no offline queue): a consumer must instead queue its commands and
 * reconnect quietly across a Redis outage, without spinning.
 */
@Injectable()
export class InboundEmailProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InboundEmailProcessor.name);
  private worker: Worker | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private checking = false;
  private lastRedisError = { message: '', at: 0 };

  constructor(
    private readonly config: AppConfigService,
    private readonly processing: InboundMessageProcessingService,
    private readonly purge: InboundRawPurgeService,
    private readonly producer: InboundEmailQueue,
    private readonly repository: InboundMessageRepository,
    @InjectQueue(QueueName.inboundEmail) private readonly queue: Queue,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker(QueueName.inboundEmail, (job: Job) => this.process(job), {
      connection: { ...redisOptions(this.config.get('redisUrl')), maxRetriesPerRequest: null },
      prefix: this.config.get('redisPrefix'),
      concurrency: CONCURRENCY,
    });
    this.worker.on('error', (error) => this.logRedisError(error));
    this.worker.on('failed', (job, error) => {
      this.logger.warn(
        { jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err: error.message },
        'inbound-email job failed',
      );
    });
    void this.ensureSchedulers();
    // Redis may come back empty (restarted without persistence, flushed): check now and then
    // that the schedulers still exist, so the outbox sweeper can never silently disappear
    this.checkTimer = setInterval(() => void this.ensureSchedulers(), SCHEDULER_CHECK_MS);
    this.checkTimer.unref();
  }

  /** Lets jobs in flight finish before the database and Redis clients close. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.checkTimer);
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
    });
    const result = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
    clearTimeout(timer);
    // a job cut short here stays `stored` (or its job stalls) and is processed again later
    if (result === 'timeout') await worker.close(true).catch(() => undefined);
  }

  async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case PROCESS_JOB: {
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.processing.process((job.data as ProcessJobData).messageId, lastAttempt);
      }
      case SWEEP_JOB: {
        const ids = await this.repository.storedIds(SWEEP_BATCH);
        await this.producer.enqueue(ids);
        return { requeued: ids.length };
      }
      case PURGE_JOB:
        return { purged: await this.purge.purgeExpired() };
      default:
        this.logger.warn({ name: job.name }, 'unknown inbound-email job ignored');
        return undefined;
    }
  }

  /** Registers the sweep and purge schedulers when missing; while Redis is down, later. */
  private async ensureSchedulers(): Promise<void> {
    if (this.checking) return; // a previous check still waits for Redis
    this.checking = true;
    try {
      if ((await this.queue.getJobScheduler(SWEEP_JOB)) === undefined) {
        await this.queue.upsertJobScheduler(
          SWEEP_JOB,
          { every: SWEEP_EVERY_MS },
          { name: SWEEP_JOB },
        );
      }
      if ((await this.queue.getJobScheduler(PURGE_JOB)) === undefined) {
        await this.queue.upsertJobScheduler(
          PURGE_JOB,
          { every: PURGE_EVERY_MS },
          { name: PURGE_JOB },
        );
      }
    } catch (error) {
      this.logRedisError(error);
    } finally {
      this.checking = false;
    }
  }

  /** Redis outages are reported by /health; log each distinct error at most once a minute. */
  private logRedisError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    if (message === this.lastRedisError.message && now - this.lastRedisError.at < 60_000) return;
    this.lastRedisError = { message, at: now };
    this.logger.warn({ err: message }, 'inbound-email worker: Redis unavailable, retrying');
  }
}
