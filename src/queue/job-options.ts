import type { JobsOptions } from 'bullmq';

/**
 * The one rule for job ids: a job's id is the id of the database row it works on (inbound
 * message, outbound mail, recovery request). Adding the same row twice — a producer and a sweeper
 * racing — therefore gives one job while the first exists; whether the work was done is decided
 * by the row, never by the queue.
 */
export function jobOptionsFor(rowId: string, options: JobsOptions): JobsOptions {
  return { ...options, jobId: rowId };
}

/**
 * Runs a producer's Redis command, giving up after `ms` so a request never hangs on an outage:
 * the row stays in the database and the queue's sweeper adds its job later.
 */
export async function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('Redis did not answer in time')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
