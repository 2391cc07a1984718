import type { Logger } from '@nestjs/common';
import { Job, Queue, Worker } from 'bullmq';
import type { AppConfig } from '../config/config.schema';
import { redisOptions } from './redis-options';

/** How often a worker checks that its schedulers still exist in Redis. */
const SCHEDULER_CHECK_MS = 10_000;
/** Graceful shutdown waits this long for jobs in flight before closing harder. */
const CLOSE_TIMEOUT_MS = 15_000;

export interface RepeatingJob {
  /** the scheduler id */
  id: string;
  /** the name of the jobs it produces [id] */
  jobName?: string;
  everyMs: number;
}

export interface QueueWorkerOptions {
  name: string;
  concurrency: number;
  process: (job: Job) => Promise<unknown>;
  /** the producer-side queue of the same name, used to (re)register the schedulers */
  queue: Queue;
  schedulers: RepeatingJob[];
  logger: Logger;
  /** the wait before a retry of a job whose back-off type is not a built-in one */
  backoff?: (attemptsMade: number) => number;
  /** whether a failed job is worth a log line (expected permanent failures are logged elsewhere) */
  logFailure?: (job: Job | undefined, error: Error) => boolean;
}

/**
 * One BullMQ consumer with what every queue of this service needs: its own reconnecting
 * connection (`maxRetriesPerRequest: null`, offline queue on — not the producers' fail-fast one
 * that @Processor would inherit), quiet handling of Redis outages (logged at most once a minute
 * per distinct error: /health reports them), schedulers that are put back when a Redis restarted
 * without persistence forgot them, and a graceful close that lets jobs in flight finish.
 */
export class QueueWorker {
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  private lastError = { message: '', at: 0 };

  constructor(
    config: Pick<AppConfig, 'redisUrl' | 'redisPrefix'>,
    private readonly options: QueueWorkerOptions,
  ) {
    this.worker = new Worker(options.name, options.process, {
      connection: { ...redisOptions(config.redisUrl), maxRetriesPerRequest: null },
      prefix: config.redisPrefix,
      concurrency: options.concurrency,
      settings: options.backoff && { backoffStrategy: options.backoff },
    });
    this.worker.on('error', (error) => this.logRedisError(error));
    this.worker.on('failed', (job, error) => {
      if (options.logFailure !== undefined && !options.logFailure(job, error)) return;
      options.logger.warn(
        { jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err: error.message },
        `${options.name} job failed`,
      );
    });
    options.logger.log(
      `consuming queue ${options.name} (concurrency ${options.concurrency}, Redis prefix ${config.redisPrefix})`,
    );
    void this.ensureSchedulers();
    this.timer = setInterval(() => void this.ensureSchedulers(), SCHEDULER_CHECK_MS);
    this.timer.unref();
  }

  /** Lets jobs in flight finish before the database and Redis clients close. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timeout = setTimeout(() => resolve('timeout'), CLOSE_TIMEOUT_MS);
    });
    const result = await Promise.race([
      this.worker.close().then(() => 'closed' as const),
      timedOut,
    ]);
    clearTimeout(timeout);
    // a job cut short here stalls and is taken up again by another worker or after restart
    if (result === 'timeout') await this.worker.close(true).catch(() => undefined);
  }

  private async ensureSchedulers(): Promise<void> {
    if (this.checking) return; // a previous check still waits for Redis
    this.checking = true;
    try {
      for (const scheduler of this.options.schedulers) {
        if ((await this.options.queue.getJobScheduler(scheduler.id)) === undefined) {
          await this.options.queue.upsertJobScheduler(
            scheduler.id,
            { every: scheduler.everyMs },
            {
              name: scheduler.jobName ?? scheduler.id,
              opts: { removeOnComplete: true, removeOnFail: 100 },
            },
          );
        }
      }
    } catch (error) {
      this.logRedisError(error);
    } finally {
      this.checking = false;
    }
  }

  private logRedisError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const now = Date.now();
    if (message === this.lastError.message && now - this.lastError.at < 60_000) return;
    this.lastError = { message, at: now };
    this.options.logger.warn(
      { err: message },
      `${this.options.name} worker: Redis unavailable, retrying`,
    );
  }
}
