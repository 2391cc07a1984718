import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '../common/domain-error';
import { REDIS_CLIENT } from '../queue/queue.module';
import { LaneLimits, PasswordCheckGate } from './password-check-gate';

/** Consecutive failed sign-ins per account before it is throttled, and for how long. */
export const ACCOUNT_FAILURE_LIMIT = 10;
/**
 * Failed sign-ins per client IP per window, across all accounts, after which the IP's password
 * checks for accounts that never signed in from it go through the slow lane. Never a refusal:
 * a clinic behind one address must not be locked out by one guesser sharing it.
 */
export const IP_FAILURE_LIMIT = 30;
export const WINDOW_SECONDS = 15 * 60;
/** How long a successful sign-in keeps its (IP, account) pair out of the slow lane. */
export const KNOWN_PAIR_SECONDS = 30 * 24 * 3600;

/** Password checks per IP in this process: at most 2 scrypt runs at once, 100 waiting. */
export const NORMAL_LANE: LaneLimits = { concurrent: 2, waiting: 100, holdAfterFailureMs: 0 };
/**
 * An IP past IP_FAILURE_LIMIT, for accounts not known from it: one check at a time, and a failed
 * one holds the lane 1 s (about one guess a second), 20 waiting. A right password still gets in.
 */
export const SLOW_LANE: LaneLimits = { concurrent: 1, waiting: 20, holdAfterFailureMs: 1000 };

/**
 * Limits password sign-ins. Per account (the normalized e-mail, whether or not the account
 * exists, so a 429 reveals nothing): ACCOUNT_FAILURE_LIMIT consecutive failures lock it for
 * WINDOW_SECONDS. Per client IP the scrypt work is bounded (PasswordCheckGate), and failures on
 * other accounts only slow the IP's guesses down: they never refuse a right password. Counts
 * live in Redis, shared by every API instance; while Redis is down an in-process limiter stands
 * in rather than letting attempts through unlimited.
 */
@Injectable()
export class LoginRateLimiter {
  private readonly byAccount: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;
  private readonly gate = new PasswordCheckGate();

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {
    this.byAccount = failureCounter(redis, 'login-fail-account', ACCOUNT_FAILURE_LIMIT);
    this.byIp = failureCounter(redis, 'login-fail-ip', IP_FAILURE_LIMIT);
  }

  /**
   * Counts this attempt against the account before the password is checked, and throws
   * rate_limited (with Retry-After) while the account is over its budget. Counting first is what
   * bounds a burst: were the check and the count separate, 500 attempts sent at once would all
   * pass the check before the first failure was counted. A success, or an attempt that could not
   * be checked, gives the point back.
   */
  async reserveAttempt(accountKey: string): Promise<void> {
    try {
      await this.byAccount.consume(accountKey, 1);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new DomainError(
        'rate_limited',
        `Too many failed sign-in attempts for this account (${ACCOUNT_FAILURE_LIMIT} in ${WINDOW_SECONDS / 60} minutes); try again later`,
        error.msBeforeNext / 1000,
      );
    }
  }

  /** The attempt could not be checked (the database was away, the IP's lane was full). */
  async release(accountKey: string): Promise<void> {
    await this.byAccount.reward(accountKey, 1).catch(ignoreRejection);
  }

  /** Runs one password check through the IP's lane; may throw sign_in_busy (429). */
  async checkPassword(
    accountKey: string,
    ip: string,
    check: () => Promise<boolean>,
  ): Promise<boolean> {
    const slow = (await this.ipOverFailureLimit(ip)) && !(await this.knownPair(accountKey, ip));
    return slow
      ? this.gate.run(`slow:${ip}`, SLOW_LANE, check)
      : this.gate.run(`normal:${ip}`, NORMAL_LANE, check);
  }

  /** A wrong password or unknown e-mail: counts towards the IP's slow lane (never a refusal). */
  async recordFailure(ip: string): Promise<void> {
    await this.byIp.penalty(ip, 1).catch(ignoreRejection);
  }

  /**
   * A successful sign-in clears the account's consecutive-failure count (not the IP's) and marks
   * the (IP, account) pair as known, so it keeps the normal lane if others guess from its IP.
   */
  async recordSuccess(accountKey: string, ip: string): Promise<void> {
    await Promise.all([
      this.byAccount.delete(accountKey).catch(ignoreRejection),
      this.redis.set(pairKey(accountKey, ip), '1', 'EX', KNOWN_PAIR_SECONDS).catch(() => undefined),
    ]);
  }

  private async ipOverFailureLimit(ip: string): Promise<boolean> {
    const client = await this.byIp.get(ip).catch(() => null);
    return client !== null && client.consumedPoints >= IP_FAILURE_LIMIT;
  }

  private async knownPair(accountKey: string, ip: string): Promise<boolean> {
    // Redis down: not known, so the IP's guessing stays slow
    return (await this.redis.exists(pairKey(accountKey, ip)).catch(() => 0)) === 1;
  }
}

function failureCounter(redis: Redis, keyPrefix: string, points: number): RateLimiterRedis {
  const window = { points, duration: WINDOW_SECONDS, blockDuration: WINDOW_SECONDS };
  return new RateLimiterRedis({
    ...window,
    storeClient: redis,
    useRedisPackage: false,
    keyPrefix,
    insuranceLimiter: new RateLimiterMemory(window),
  });
}

/** Hashed: Redis keys need not show which e-mail signs in from which address. */
function pairKey(accountKey: string, ip: string): string {
  return `login-known:${createHash('sha256').update(`${ip}\n${accountKey}`).digest('hex')}`;
}

function ignoreRejection(error: unknown): void {
  if (error instanceof RateLimiterRes) return;
  throw error;
}
