import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { AppConfigService } from '../config/app-config.service';
import { QueueWorker, QueueWorkerOptions } from './queue-worker';

/**
 * The start-up and shutdown of every queue consumer: a subclass names its queue and schedulers
 * (`workerOptions`) and routes jobs (`process`); this class starts the QueueWorker once the
 * application is up and lets jobs in flight finish before the database and Redis clients close.
 * Why the project keeps its own worker rather than @nestjs/bullmq's WorkerHost:
 * docs/architecture.md, "Queues".
 */
export abstract class QueueConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private worker: QueueWorker | undefined;

  protected constructor(private readonly appConfig: AppConfigService) {}

  /** Routes one job to the service that does the work. */
  abstract process(job: Job): Promise<unknown>;

  protected abstract workerOptions(): Omit<QueueWorkerOptions, 'process'>;

  onApplicationBootstrap(): void {
    this.worker = new QueueWorker(this.appConfig.values, {
      ...this.workerOptions(),
      process: (job) => this.process(job),
    });
  }

  /** A job cut short stays in its row's state and is taken up again (sweeper, stalled check). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }
}
