import { BullModule, getQueueToken } from '@nestjs/bullmq';
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import Redis from 'ioredis';
import { AppConfigService } from '../config/app-config.service';
import { QueueName } from './queue-names';
import { redisOptions } from './redis-options';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** Closes the shared client after everything that uses it has stopped. */
@Injectable()
class RedisClientCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}

/**
 * Producer queues report connection errors as 'error' events; without a listener BullMQ writes
 * each one to the console, bypassing the structured logs, many times a second during an outage.
 * /health reports outages; here each distinct error is logged at most once a minute.
 */
@Injectable()
class ProducerQueueErrors implements OnApplicationBootstrap {
  private readonly logger = new Logger('Queues');
  private readonly last = new Map<string, number>();

  constructor(private readonly moduleRef: ModuleRef) {}

  onApplicationBootstrap(): void {
    for (const name of Object.values(QueueName)) {
      let queue: Queue;
      try {
        queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      } catch {
        continue; // this queue is not registered in this process
      }
      queue.on('error', (error: Error) => this.report(name, error));
    }
  }

  private report(name: string, error: Error): void {
    const key = `${name}:${error.message}`;
    const now = Date.now();
    if (now - (this.last.get(key) ?? 0) < 60_000) return;
    this.last.set(key, now);
    this.logger.warn({ queue: name, err: error.message }, 'producer queue: Redis unavailable');
  }
}

/**
 * BullMQ and a shared ioredis client. Workers get `maxRetriesPerRequest: null` (BullMQ requires it
 * for blocking connections); producers use `registerQueue` below, which fails fast when Redis is
 * away instead of hanging a request — the outbox sweepers re-enqueue later.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        connection: { ...redisOptions(config.get('redisUrl')), maxRetriesPerRequest: null },
        prefix: config.get('redisPrefix'),
      }),
    }),
  ],
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfigService],
      useFactory: async (config: AppConfigService) => {
        const redis = new Redis({
          ...redisOptions(config.get('redisUrl')),
          keyPrefix: `${config.get('redisPrefix')}:`,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
        });
        // Outages are reported by /health and retried by ioredis; an unhandled 'error' event would
        // only add noise to the logs.
        redis.on('error', () => undefined);
        // Give it a moment to connect; start anyway when Redis is down (mail is still accepted).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000);
          redis.once('ready', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        return redis;
      },
    },
    RedisClientCloser,
    ProducerQueueErrors,
  ],
  exports: [REDIS_CLIENT],
})
export class QueueModule {}

/** Registers a producer-side queue that errors at once while Redis is unreachable. */
export function registerQueue(name: string) {
  return BullModule.registerQueueAsync({
    name,
    inject: [AppConfigService],
    useFactory: (config: AppConfigService) => ({
      connection: {
        ...redisOptions(config.get('redisUrl')),
        // commands fail at once while Redis is unreachable (no offline queue to hang on); BullMQ
        // still gives this queue's worker, when there is one, its own blocking connection
        enableOfflineQueue: false,
      },
      prefix: config.get('redisPrefix'),
    }),
  });
}
