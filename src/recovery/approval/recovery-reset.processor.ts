import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service';
import { QueueConsumer } from '../../queue/queue-consumer';
import { QueueName } from '../../queue/queue-names';
import { RecoveryDecisionService } from './recovery-decision.service';
import { RecoveryResetQueue, RESET_JOB, ResetJobData, SWEEP_JOB } from './recovery-reset.queue';

/** How often expiry and the reset sweeper run. */
export const SWEEP_EVERY_MS = 30_000;

/**
 * Runs approved resets when they are due, and every SWEEP_EVERY_MS expires stale requests and
 * re-enqueues due resets whose job was lost (Redis outage, crash). Only calls the decision service.
 */
@Injectable()
export class RecoveryResetProcessor extends QueueConsumer {
  constructor(
    config: AppConfigService,
    private readonly decisions: RecoveryDecisionService,
    private readonly producer: RecoveryResetQueue,
    @InjectQueue(QueueName.recoveryReset) queue: Queue,
  ) {
    super(config, queue, {
      name: QueueName.recoveryReset,
      concurrency: 2,
      schedulers: [{ id: SWEEP_JOB, everyMs: SWEEP_EVERY_MS }],
    });
  }

  async process(job: Job): Promise<unknown> {
    if (job.name === RESET_JOB) {
      return this.decisions.executeReset((job.data as ResetJobData).requestId);
    }
    const expired = await this.decisions.expireDue();
    const due = await this.decisions.dueResets();
    for (const request of due) {
      await this.producer.ensure(request.id);
    }
    return { expired, due: due.length };
  }
}
