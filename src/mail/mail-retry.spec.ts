import { MAIL_ATTEMPTS, mailRetryDelay } from './mail.queue';

const middle = () => 0.5;

describe('mailRetryDelay: how long outbound mail keeps trying', () => {
  it('starts at 5 s and doubles', () => {
    expect([1, 2, 3, 4].map((made) => mailRetryDelay(made, middle))).toEqual([
      5000, 10_000, 20_000, 40_000,
    ]);
  });

  it('never waits more than an hour between attempts, however many failed', () => {
    expect(mailRetryDelay(11, middle)).toBe(3_600_000);
    expect(mailRetryDelay(1000, middle)).toBe(3_600_000);
    expect(mailRetryDelay(1000, () => 0.999)).toBeLessThanOrEqual(1.2 * 3_600_000);
  });

  it('spreads retries by at most ±20 %', () => {
    expect(mailRetryDelay(1, () => 0)).toBe(4000);
    expect(mailRetryDelay(1, () => 1)).toBe(6000);
  });

  it('outlasts a relay outage of a whole day before a mail shows as failed', () => {
    let waited = 0;
    for (let made = 1; made < MAIL_ATTEMPTS; made += 1) waited += mailRetryDelay(made, () => 0);
    expect(waited).toBeGreaterThanOrEqual(24 * 3_600_000);
  });
});
