import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { jobOptionsFor, withinTime } from '../../queue/job-options';
import { QueueName } from '../../queue/queue-names';

/** Job names on the inbound-email queue. */
export const PROCESS_JOB = 'process';
export const SWEEP_JOB = 'sweep';
export const PURGE_JOB = 'purge';

export interface ProcessJobData {
  messageId: string;
}

/**
 * Retries with back-off: 5 s, 10 s, 20 s … (about 85 minutes in all), so a DNS outage heals
 * without the message being rejected. Jobs are removed once done: the database row is the truth,
 * so nothing is lost with them and Redis does not grow.
 */
export const PROCESS_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/** How long the producer waits for Redis before leaving the message to the sweeper. */
const ENQUEUE_TIMEOUT_MS = 2000;

/**
 * Producer for the inbound-email queue. The job id IS the inbound message id, so enqueueing the
 * same row twice (the store and the sweeper racing) adds one job; whether a message was already
 * processed is decided by its row, never by the queue.
 */
@Injectable()
export class InboundEmailQueue {
  private readonly logger = new Logger(InboundEmailQueue.name);

  constructor(@InjectQueue(QueueName.inboundEmail) private readonly queue: Queue<ProcessJobData>) {}

  /** Best effort and bounded in time: false when Redis is away (the sweeper retries later). */
  async enqueue(messageIds: string[]): Promise<boolean> {
    if (messageIds.length === 0) return true;
    try {
      await withinTime(
        this.queue.addBulk(
          messageIds.map((messageId) => ({
            name: PROCESS_JOB,
            data: { messageId },
            opts: jobOptionsFor(messageId, PROCESS_JOB_OPTIONS),
          })),
        ),
        ENQUEUE_TIMEOUT_MS,
      );
      return true;
    } catch (error) {
      this.logger.warn(
        { count: messageIds.length, err: error instanceof Error ? error.message : String(error) },
        'inbound messages stored but not enqueued now; the outbox sweeper will enqueue them',
      );
      return false;
    }
  }
}
