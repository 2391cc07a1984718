import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { QueueName } from '../../queue/queue-names';
import { RecoveryDecisionService } from './recovery-decision.service';
import { RecoveryResetQueue, RESET_JOB, ResetJobData, SWEEP_JOB } from './recovery-reset.queue';

/** How often expiry and the reset sweeper run. */
export const SWEEP_EVERY_MS = 30_000;

/**
 * Runs approved resets when they are due, and every SWEEP_EVERY_MS expires stale requests and
 * re-enqueues due resets whose job was lost. Only calls the decision service.
 */
@Processor(QueueName.recoveryReset)
export class RecoveryResetProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RecoveryResetProcessor.name);

  constructor(
    private readonly decisions: RecoveryDecisionService,
    private readonly producer: RecoveryResetQueue,
    @InjectQueue(QueueName.recoveryReset) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(SWEEP_JOB, { every: SWEEP_EVERY_MS }, { name: SWEEP_JOB });
    } catch (error) {
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'could not register the recovery sweeper now (Redis down?)',
      );
    }
  }

  async process(job: Job<ResetJobData>): Promise<unknown> {
    if (job.name === RESET_JOB) {
      return this.decisions.executeReset(job.data.requestId);
    }
    const expired = await this.decisions.expireDue();
    const due = await this.decisions.dueResets();
    for (const request of due) {
      await this.producer.schedule(request.id, request.executesAt ?? new Date());
    }
    return { expired, requeued: due.length };
  }
}
