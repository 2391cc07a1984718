import { DomainError } from '../common/domain-error';
import { PasswordCheckGate } from './password-check-gate';

/** A check that resolves when the test says so, counting how many run at once. */
function controlledChecks() {
  const pending: Array<(valid: boolean) => void> = [];
  let running = 0;
  let peak = 0;
  const check = () =>
    new Promise<boolean>((resolve) => {
      running += 1;
      peak = Math.max(peak, running);
      pending.push((valid) => {
        running -= 1;
        resolve(valid);
      });
    });
  const settle = async (valid: boolean) => {
    await new Promise((resolve) => setImmediate(resolve));
    pending.shift()?.(valid);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { check, settle, peak: () => peak, started: () => pending.length };
}

describe('PasswordCheckGate', () => {
  const limits = { concurrent: 2, waiting: 3, holdAfterFailureMs: 0 };

  it('runs at most `concurrent` checks per key, lets the others wait, and refuses past `waiting`', async () => {
    const gate = new PasswordCheckGate();
    const { check, settle, peak } = controlledChecks();
    const results = Array.from({ length: 6 }, () =>
      gate.run('ip', limits, check).then(
        (valid) => ({ valid }),
        (error: unknown) => ({ error }),
      ),
    );
    for (let index = 0; index < 5; index += 1) await settle(true);
    const outcomes = await Promise.all(results);
    expect(peak()).toBe(2);
    expect(outcomes.filter((outcome) => 'valid' in outcome)).toHaveLength(5);
    const refused = outcomes.find((outcome) => 'error' in outcome) as { error: DomainError };
    expect(refused.error).toBeInstanceOf(DomainError);
    expect(refused.error.code).toBe('sign_in_busy');
    expect(refused.error.retryAfterSeconds).toBe(1);
    expect(gate.size).toBe(0);
  });

  it('keeps keys apart: a busy key does not hold up another', async () => {
    const gate = new PasswordCheckGate();
    const busy = controlledChecks();
    const waiting = Array.from({ length: 5 }, () =>
      gate.run('guesser', limits, busy.check).catch(() => 'refused'),
    );
    await expect(gate.run('colleague', limits, async () => true)).resolves.toBe(true);
    for (let index = 0; index < 5; index += 1) await busy.settle(false);
    await Promise.all(waiting);
    expect(gate.size).toBe(0);
  });

  it('forgets a key once its checks are done, also after a check throws', async () => {
    const gate = new PasswordCheckGate();
    await expect(
      gate.run('ip', limits, () => Promise.reject(new Error('scrypt failed'))),
    ).rejects.toThrow('scrypt failed');
    expect(gate.size).toBe(0);
  });
});
