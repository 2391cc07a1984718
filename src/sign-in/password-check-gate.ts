import { DomainError } from '../common/domain-error';

/** How many password checks run at once per lane; more wait their turn, first come first served. */
export interface LaneLimits {
  concurrent: number;
  /** checks allowed to wait; one more is refused with 429 sign_in_busy */
  waiting: number;
  /** after a failed check the lane stays taken this long (slows guessing, not right passwords) */
  holdAfterFailureMs: number;
}

interface Lane {
  active: number;
  queue: Array<() => void>;
}

/**
 * Bounds the scrypt work of password checks per key (a client IP and its lane) in this process:
 * checks beyond the limit wait instead of being refused, so a client that sends wrong passwords
 * slows itself down without refusing anyone's right password. Only a flood of waiting checks is
 * refused (429 sign_in_busy, Retry-After 1 s). Idle lanes are forgotten, so memory stays bounded
 * by the checks in flight, not by the number of clients ever seen.
 */
export class PasswordCheckGate {
  private readonly lanes = new Map<string, Lane>();

  async run(key: string, limits: LaneLimits, check: () => Promise<boolean>): Promise<boolean> {
    await this.enter(key, limits);
    try {
      const valid = await check();
      if (!valid && limits.holdAfterFailureMs > 0) await sleep(limits.holdAfterFailureMs);
      return valid;
    } finally {
      this.leave(key);
    }
  }

  /** Lanes with checks running or waiting (for tests: idle ones are dropped). */
  get size(): number {
    return this.lanes.size;
  }

  private async enter(key: string, limits: LaneLimits): Promise<void> {
    const lane = this.lanes.get(key) ?? { active: 0, queue: [] };
    this.lanes.set(key, lane);
    if (lane.active < limits.concurrent && lane.queue.length === 0) {
      lane.active += 1;
      return;
    }
    if (lane.queue.length >= limits.waiting) {
      throw new DomainError(
        'sign_in_busy',
        `Too many sign-in attempts in progress from this address (at most ${limits.concurrent} at a time and ${limits.waiting} waiting); try again shortly`,
        1,
      );
    }
    // the slot is handed over by leave(): active stays counted for the waiter
    await new Promise<void>((resolve) => lane.queue.push(resolve));
  }

  private leave(key: string): void {
    const lane = this.lanes.get(key);
    if (lane === undefined) return;
    const next = lane.queue.shift();
    if (next !== undefined) {
      next();
      return;
    }
    lane.active -= 1;
    if (lane.active === 0) this.lanes.delete(key);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
