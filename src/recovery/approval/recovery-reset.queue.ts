import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { jobOptionsFor } from '../../queue/job-options';
import { QueueName } from '../../queue/queue-names';

export const RESET_JOB = 'reset';
export const SWEEP_JOB = 'sweep';

export interface ResetJobData {
  requestId: string;
}

/**
 * Producer for the recovery-reset queue. The job id is the request id, so scheduling twice is
 * harmless; the real exactly-once guarantee is the guarded update in executeReset.
 */
@Injectable()
export class RecoveryResetQueue {
  private readonly logger = new Logger(RecoveryResetQueue.name);

  constructor(@InjectQueue(QueueName.recoveryReset) private readonly queue: Queue<ResetJobData>) {}

  /** Best effort: when Redis is away the sweeper finds the approved request later. */
  async schedule(requestId: string, executesAt: Date): Promise<void> {
    try {
      await this.queue.add(
        RESET_JOB,
        { requestId },
        jobOptionsFor(requestId, {
          delay: Math.max(0, executesAt.getTime() - Date.now()),
          attempts: 10,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        }),
      );
    } catch (error) {
      this.logger.warn(
        { requestId, err: error instanceof Error ? error.message : String(error) },
        'reset job not enqueued now; the sweeper will pick it up',
      );
    }
  }

  /**
   * For the sweeper: a due reset whose job is gone (Redis lost it) is added again, one that
   * failed all its attempts is retried. The guarded update in executeReset keeps it exactly-once.
   */
  async ensure(requestId: string): Promise<void> {
    const job = await this.queue.getJob(requestId);
    if (job === undefined) {
      await this.schedule(requestId, new Date());
    } else if (await job.isFailed()) {
      await job.retry();
    }
  }
}
