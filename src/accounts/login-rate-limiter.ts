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

  /**
   * Counts this attempt as a failure before the password is checked, and throws rate_limited
   * (with Retry-After) when the IP or the account is over its budget. Counting first is what
   * bounds a burst: when the check and the count were separate, 500 attempts sent at once all
   * passed the check before the first failure was counted, and each cost a scrypt verification.
   * A success, or an attempt that could not be checked, gives the point back.
   */
  async reserveAttempt(accountKey: string, ip: string): Promise<void> {
    await this.consume(this.byIp, ip);
    try {
      await this.consume(this.byAccount, accountKey);
    } catch (error) {
      await this.byIp.reward(ip, 1).catch(ignoreRejection);
      throw error;
    }
  }

  /** The attempt could not be checked (the database was away): it does not count. */
  async release(accountKey: string, ip: string): Promise<void> {
    await Promise.all([
      this.byAccount.reward(accountKey, 1).catch(ignoreRejection),
      this.byIp.reward(ip, 1).catch(ignoreRejection),
    ]);
  }

  /** A successful sign-in clears the account's consecutive-failure count and returns the IP's point. */
  async recordSuccess(accountKey: string, ip: string): Promise<void> {
    await Promise.all([
      this.byAccount.delete(accountKey).catch(ignoreRejection),
      this.byIp.reward(ip, 1).catch(ignoreRejection),
    ]);
  }

  private async consume(limiter: RateLimiterRedis, key: string): Promise<void> {
    try {
      await limiter.consume(key, 1);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new DomainError(
        'rate_limited',
        'Too many failed sign-in attempts; try again later',
        error.msBeforeNext / 1000,
      );
    }
  }
}

function ignoreRejection(error: unknown): void {
  if (error instanceof RateLimiterRes) return;
  throw error;
}
