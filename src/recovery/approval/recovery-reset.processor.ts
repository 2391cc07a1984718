import { InjectQueue } from '@nestjs/bullmq';
import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service';
import { QueueName } from '../../queue/queue-names';
import { QueueWorker } from '../../queue/queue-worker';
import { RecoveryDecisionService } from './recovery-decision.service';
import { RecoveryResetQueue, RESET_JOB, ResetJobData, SWEEP_JOB } from './recovery-reset.queue';

/** How often expiry and the reset sweeper run. */
export const SWEEP_EVERY_MS = 30_000;

/**
 * Runs approved resets when they are due, and every SWEEP_EVERY_MS expires stale requests and
 * re-enqueues due resets whose job was lost (Redis outage, crash). Only calls the decision service.
 */
@Injectable()
export class RecoveryResetProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RecoveryResetProcessor.name);
  private worker: QueueWorker | undefined;

  constructor(
    private readonly config: AppConfigService,
    private readonly decisions: RecoveryDecisionService,
    private readonly producer: RecoveryResetQueue,
    @InjectQueue(QueueName.recoveryReset) private readonly queue: Queue,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new QueueWorker(this.config.values, {
      name: QueueName.recoveryReset,
      concurrency: 2,
      process: (job) => this.process(job as Job<ResetJobData>),
      queue: this.queue,
      schedulers: [{ id: SWEEP_JOB, everyMs: SWEEP_EVERY_MS }],
      logger: this.logger,
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }

  async process(job: Job<ResetJobData>): Promise<unknown> {
    if (job.name === RESET_JOB) {
      return this.decisions.executeReset(job.data.requestId);
    }
    const expired = await this.decisions.expireDue();
    const due = await this.decisions.dueResets();
    for (const request of due) {
      await this.producer.ensure(request.id);
    }
    return { expired, due: due.length };
  }
}
