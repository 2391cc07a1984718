import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { jobOptionsFor, withinTime } from '../queue/job-options';
import { QueueName } from '../queue/queue-names';

/** Jobs on the `security-events` queue. */
export const EventJobName = { deliver: 'deliver', sweep: 'sweep' } as const;

export interface DeliverEventJobData {
  eventId: string;
}

/**
 * A receiver may be down for a day (a SIEM upgrade, a weekend) and must still get every event:
 * retries wait 30 s, 1 min, 2 min … doubling up to two hours, then every two hours, 20 retries
 * covering about 26 hours in all (never less than 24) before the delivery shows as failed.
 */
export const EVENT_ATTEMPTS = 21;
const FIRST_RETRY_MS = 30_000;
const LONGEST_RETRY_MS = 2 * 3_600_000;
/**
 * With NODE_ENV=test every retry waits this long instead, so that end-to-end tests see several
 * attempts in seconds. It is still over a second: each attempt's `webhook-timestamp` (whole
 * seconds) is then later than the one before.
 */
export const TEST_RETRY_MS = 1_200;
/** The BullMQ back-off type of deliver jobs; the worker computes it (eventRetryDelay). */
export const EVENT_BACKOFF = 'security-event';

/** The wait before the next attempt after `attemptsMade` failed ones (no jitter: one receiver). */
export function eventRetryDelay(attemptsMade: number, nodeEnv: string): number {
  if (nodeEnv === 'test') return TEST_RETRY_MS;
  const exponential = FIRST_RETRY_MS * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 30);
  return Math.min(exponential, LONGEST_RETRY_MS);
}

/** Options of every deliver job. The job id is the event id: a row queued twice is one job. */
export function deliverJobOptions(eventId: string): JobsOptions {
  return jobOptionsFor(eventId, {
    attempts: EVENT_ATTEMPTS,
    backoff: { type: EVENT_BACKOFF },
    // the row keeps the record; the sweeper may queue a row again once no job for it is left
    removeOnComplete: true,
    removeOnFail: true,
  });
}

/** The sweeper: queues pending rows whose job was lost (Redis was down, a process died). */
export const EVENT_SWEEPER_ID = 'security-events-sweeper';
export const EVENT_SWEEP_EVERY_MS = 15_000;

const ADD_TIMEOUT_MS = 2000;

@Injectable()
export class SecurityEventQueue {
  private readonly logger = new Logger(SecurityEventQueue.name);

  constructor(@InjectQueue(QueueName.securityEvents) private readonly queue: Queue) {}

  /**
   * Queues the delivery of a stored event. Never throws and never waits long: when Redis is away
   * the row stays pending and the sweeper queues it later. A delayed retry already waiting for
   * this event is run now instead (redelivery). Returns whether a job is queued.
   */
  async add(eventId: string): Promise<boolean> {
    try {
      await withinTime(this.addOrPromote(eventId), ADD_TIMEOUT_MS);
      return true;
    } catch (error) {
      this.logger.warn(
        { eventId, reason: error instanceof Error ? error.message : String(error) },
        'security event stored but not queued; the sweeper will queue it',
      );
      return false;
    }
  }

  private async addOrPromote(eventId: string): Promise<void> {
    const existing = await this.queue.getJob(eventId);
    if (existing !== undefined && (await existing.isDelayed())) {
      await existing.promote();
      return;
    }
    await this.queue.add(
      EventJobName.deliver,
      { eventId } satisfies DeliverEventJobData,
      deliverJobOptions(eventId),
    );
  }
}
