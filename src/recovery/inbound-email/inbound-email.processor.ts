import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { QueueName } from '../../queue/queue-names';
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
/** Rows re-enqueued per sweep (the next sweep takes the rest). */
const SWEEP_BATCH = 1000;
/** Parsing is CPU-bound and authentication waits on DNS: a few at a time per worker process. */
const CONCURRENCY = 4;

/**
 * Worker of the inbound-email queue: processes messages, and runs the outbox sweeper and the
 * raw-bytes purge on BullMQ job schedulers. Only calls services.
 */
@Processor(QueueName.inboundEmail, { concurrency: CONCURRENCY })
export class InboundEmailProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(InboundEmailProcessor.name);
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly processing: InboundMessageProcessingService,
    private readonly purge: InboundRawPurgeService,
    private readonly producer: InboundEmailQueue,
    private readonly repository: InboundMessageRepository,
    @InjectQueue(QueueName.inboundEmail) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.registerSchedulers();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retryTimer);
  }

  /** Registers the schedulers; while Redis is down, tries again every sweep interval. */
  private async registerSchedulers(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        SWEEP_JOB,
        { every: SWEEP_EVERY_MS },
        { name: SWEEP_JOB },
      );
      await this.queue.upsertJobScheduler(
        PURGE_JOB,
        { every: PURGE_EVERY_MS },
        { name: PURGE_JOB },
      );
    } catch (error) {
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'inbound schedulers not registered now (Redis down?); retrying',
      );
      this.retryTimer = setTimeout(() => void this.registerSchedulers(), SWEEP_EVERY_MS);
      this.retryTimer.unref();
    }
  }

  async process(job: Job<ProcessJobData>): Promise<unknown> {
    switch (job.name) {
      case PROCESS_JOB: {
        const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        return this.processing.process(job.data.messageId, lastAttempt);
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

  @OnWorkerEvent('failed')
  onFailed(job: Job<ProcessJobData> | undefined, error: Error): void {
    this.logger.warn(
      { jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err: error.message },
      'inbound-email job failed',
    );
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error.message }, 'inbound-email worker error (Redis down?)');
  }
}
