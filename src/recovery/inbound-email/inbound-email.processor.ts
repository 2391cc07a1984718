import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service';
import { QueueConsumer } from '../../queue/queue-consumer';
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
 * The worker of the inbound-email queue (worker role only): processes messages, and runs the
 * outbox sweeper and the raw-bytes purge on BullMQ job schedulers. Only routes jobs to services;
 * QueueConsumer handles the consumer connection, Redis outages and graceful shutdown; a message
 * cut short by a shutdown stays `stored` and is processed later.
 */
@Injectable()
export class InboundEmailProcessor extends QueueConsumer {
  constructor(
    config: AppConfigService,
    private readonly processing: InboundMessageProcessingService,
    private readonly purge: InboundRawPurgeService,
    private readonly producer: InboundEmailQueue,
    private readonly repository: InboundMessageRepository,
    @InjectQueue(QueueName.inboundEmail) queue: Queue,
  ) {
    super(config, queue, {
      name: QueueName.inboundEmail,
      concurrency: CONCURRENCY,
      schedulers: [
        { id: SWEEP_JOB, everyMs: SWEEP_EVERY_MS },
        { id: PURGE_JOB, everyMs: PURGE_EVERY_MS },
      ],
    });
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
}
