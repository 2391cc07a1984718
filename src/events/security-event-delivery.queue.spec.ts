import {
  deliverJobOptions,
  EVENT_ATTEMPTS,
  EVENT_BACKOFF,
  eventRetryDelay,
  TEST_RETRY_MS,
} from './security-event-delivery.queue';

const HOUR = 3_600_000;

/** The waits between the attempts of one job: one after each failed attempt but the last. */
function schedule(nodeEnv: string): number[] {
  return Array.from({ length: EVENT_ATTEMPTS - 1 }, (_, i) => eventRetryDelay(i + 1, nodeEnv));
}

describe('security-event retry schedule', () => {
  it.each(['production', 'development'])(
    'retries for at least 24 hours in %s, the first retry within a minute',
    (nodeEnv) => {
      const waits = schedule(nodeEnv);
      expect(waits[0]).toBeLessThanOrEqual(60_000);
      expect(waits[0]).toBeGreaterThan(0);
      const total = waits.reduce((sum, wait) => sum + wait, 0);
      expect(total).toBeGreaterThanOrEqual(24 * HOUR);
      expect(total).toBeLessThanOrEqual(30 * HOUR);
      // never longer than two hours between attempts, and never shorter than the one before
      for (let i = 1; i < waits.length; i += 1) {
        expect(waits[i]).toBeLessThanOrEqual(2 * HOUR);
        expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]);
      }
    },
  );

  it('waits a fixed second and a bit between attempts only under NODE_ENV=test', () => {
    expect(new Set(schedule('test'))).toEqual(new Set([TEST_RETRY_MS]));
    expect(TEST_RETRY_MS).toBeGreaterThan(1000);
    expect(eventRetryDelay(1, 'production')).not.toBe(TEST_RETRY_MS);
  });

  it('keys the job by the event id, with the custom back-off, and leaves no finished job behind', () => {
    expect(deliverJobOptions('e1')).toEqual({
      jobId: 'e1',
      attempts: EVENT_ATTEMPTS,
      backoff: { type: EVENT_BACKOFF },
      removeOnComplete: true,
      removeOnFail: true,
    });
  });
});
