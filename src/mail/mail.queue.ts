import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { jobOptionsFor, withinTime } from '../queue/job-options';
import { QueueName } from '../queue/queue-names';

/** Jobs on the `mail` queue. */
export const MailJobName = { send: 'send', sweep: 'sweep' } as const;

export interface SendMailJobData {
  mailId: string;
}

/**
 * A relay may be away for hours (maintenance, a provider outage) and a mail such as the recovery
 * cancel link must still arrive: attempts wait 5 s, 10 s, 20 s … doubling up to one hour, then
 * hourly, for about 30 hours in all (never less than 24) before the mail shows as failed.
 */
export const MAIL_ATTEMPTS = 40;
const FIRST_RETRY_MS = 5000;
const LONGEST_RETRY_MS = 3_600_000;
/** The BullMQ back-off type of send jobs; the mail worker computes it (mailRetryDelay). */
export const MAIL_BACKOFF = 'mail';

/** The wait before the next attempt, after `attemptsMade` failed ones, ±20 % so retries spread. */
export function mailRetryDelay(attemptsMade: number, random = Math.random): number {
  const exponential = FIRST_RETRY_MS * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 30);
  return Math.round(Math.min(exponential, LONGEST_RETRY_MS) * (0.8 + 0.4 * random()));
}

/** Options of every send job. The job id is the row id, so queueing a row twice is harmless. */
export function sendJobOptions(mailId: string): JobsOptions {
  return jobOptionsFor(mailId, {
    attempts: MAIL_ATTEMPTS,
    backoff: { type: MAIL_BACKOFF },
    // Finished jobs leave Redis: the row keeps the record, and the sweeper may queue a row again
    // once no job for it is left (de-duplication by job id only holds while the job exists).
    removeOnComplete: true,
    removeOnFail: true,
  });
}

/** Mails sent at once per worker process (and SMTP connections pooled for them). */
export const MAIL_CONCURRENCY = 5;

/** The sweeper: re-queues pending rows whose job was lost (Redis was down, a process died). */
export const SWEEPER_ID = 'mail-sweeper';
export const SWEEP_EVERY_MS = 15_000;

/** How long a producer waits for Redis before leaving the row to the sweeper. */
const ADD_TIMEOUT_MS = 2000;

@Injectable()
export class MailQueue {
  private readonly logger = new Logger(MailQueue.name);

  constructor(@InjectQueue(QueueName.mail) private readonly queue: Queue) {}

  /**
   * Queues the send job of a stored row. Never throws and never waits long: when Redis is away
   * the row stays pending and the sweeper queues it later. Returns whether the job was queued.
   */
  /**
   * Queues the send jobs of several stored rows in one round trip (addBulk), with the same
   * promise as `add`: never throws, never waits long; the sweeper queues what did not make it.
   */
  async addMany(mailIds: string[]): Promise<boolean> {
    if (mailIds.length === 1) return this.add(mailIds[0]);
    try {
      await withinTime(
        this.queue.addBulk(
          mailIds.map((mailId) => ({
            name: MailJobName.send,
            data: { mailId } satisfies SendMailJobData,
            opts: sendJobOptions(mailId),
          })),
        ),
        ADD_TIMEOUT_MS,
      );
      return true;
    } catch (error) {
      this.logger.warn(
        { mailIds, reason: error instanceof Error ? error.message : String(error) },
        'mails stored but not queued; the sweeper will queue them',
      );
      return false;
    }
  }

  async add(mailId: string): Promise<boolean> {
    try {
      await withinTime(
        this.queue.add(
          MailJobName.send,
          { mailId } satisfies SendMailJobData,
          sendJobOptions(mailId),
        ),
        ADD_TIMEOUT_MS,
      );
      return true;
    } catch (error) {
      this.logger.warn(
        { mailId, reason: error instanceof Error ? error.message : String(error) },
        'mail stored but not queued; the sweeper will queue it',
      );
      return false;
    }
  }
}
