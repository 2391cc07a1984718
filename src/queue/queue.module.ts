import { BullModule } from '@nestjs/bullmq';
import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfigService } from '../config/app-config.service';
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
