import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../common/domain-error';
import { REDIS_CLIENT } from '../queue/queue.module';

/** Consecutive failed sign-ins per account before it is throttled, and for how long. */
export const ACCOUNT_FAILURE_LIMIT = 10;
/** Failed sign-ins per client IP per window, across all accounts (credential stuffing). */
export const IP_FAILURE_LIMIT = 30;
export const WINDOW_SECONDS = 15 * 60;

/**
 * Counts failed password sign-ins in Redis, shared by every API instance. Keyed by the normalized
 * e-mail whether or not the account exists, so a 429 reveals nothing about existence. While Redis
 * is down an in-process limiter stands in rather than letting attempts through unlimited.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly byAccount: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;

  constructor(@Inject(REDIS_CLIENT) redis: Redis) {
    const common = { storeClient: redis, useRedisPackage: false, duration: WINDOW_SECONDS };
    this.byAccount = new RateLimiterRedis({
      ...common,
      keyPrefix: 'login-fail-account',
      points: ACCOUNT_FAILURE_LIMIT,
      blockDuration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({
        points: ACCOUNT_FAILURE_LIMIT,
        duration: WINDOW_SECONDS,
        blockDuration: WINDOW_SECONDS,
      }),
    });
    this.byIp = new RateLimiterRedis({
      ...common,
      keyPrefix: 'login-fail-ip',
      points: IP_FAILURE_LIMIT,
      blockDuration: WINDOW_SECONDS,
      insuranceLimiter: new RateLimiterMemory({
        points: IP_FAILURE_LIMIT,
        duration: WINDOW_SECONDS,
        blockDuration: WINDOW_SECONDS,
      }),
    });
  }

  /** Throws rate_limited (with Retry-After) when the account or the IP is over its budget. */
  async assertAllowed(accountKey: string, ip: string): Promise<void> {
    const [account, client] = await Promise.all([
      this.byAccount.get(accountKey),
      this.byIp.get(ip),
    ]);
    const blocked = [
      { res: account, limit: ACCOUNT_FAILURE_LIMIT },
      { res: client, limit: IP_FAILURE_LIMIT },
    ].find(({ res, limit }) => res !== null && res.consumedPoints >= limit);
    if (blocked?.res) {
      throw new DomainError(
        'rate_limited',
        'Too many failed sign-in attempts; try again later',
        blocked.res.msBeforeNext / 1000,
      );
    }
  }

  async recordFailure(accountKey: string, ip: string): Promise<void> {
    await Promise.all([
      this.byAccount.penalty(accountKey, 1).catch(ignoreRejection),
      this.byIp.penalty(ip, 1).catch(ignoreRejection),
    ]);
  }

  /** A successful sign-in clears the account's consecutive-failure count (not the IP's). */
  async recordSuccess(accountKey: string): Promise<void> {
    await this.byAccount.delete(accountKey).catch(ignoreRejection);
  }
}

function ignoreRejection(error: unknown): void {
  if (error instanceof RateLimiterRes) return;
  throw error;
}
