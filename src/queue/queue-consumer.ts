import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import type { AppConfigService } from '../config/app-config.service';
import { QueueWorker, QueueWorkerOptions } from './queue-worker';

/** What a consumer says about its queue; QueueConsumer adds the rest. */
export type ConsumerSettings = Omit<QueueWorkerOptions, 'process' | 'queue' | 'logger'>;

/**
 * The start-up and shutdown of every queue consumer: a subclass passes its queue and settings
 * (name, concurrency, schedulers) and routes jobs (`process`); this class starts the QueueWorker
 * once the application is up and lets jobs in flight finish before the database and Redis
 * clients close. Why the project keeps its own worker rather than @nestjs/bullmq's WorkerHost:
 * docs/architecture.md, "Queues".
 */
export abstract class QueueConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private worker: QueueWorker | undefined;

  protected constructor(
    private readonly appConfig: AppConfigService,
    /** the producer-side queue of the same name, used to (re)register the schedulers */
    private readonly queue: Queue,
    private readonly settings: ConsumerSettings,
  ) {}

  /** Routes one job to the service that does the work. */
  abstract process(job: Job): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.worker = new QueueWorker(this.appConfig.values, {
      ...this.settings,
      queue: this.queue,
      logger: this.logger,
      process: (job) => this.process(job),
    });
  }

  /** A job cut short stays in its row's state and is taken up again (sweeper, stalled check). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    this.worker = undefined;
  }
}
