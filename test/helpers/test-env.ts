/**
 * The environment every test run shares: its own database (created and migrated once by the
 * global setup) and its own Redis key prefix, so runs on the same machine never meet.
 */
export const RUN_ID_VARIABLE = 'RD_TEST_RUN_ID';

export function baseDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL ?? `postgres://postgres@127.0.0.1:5432/rd_test_${runId()}`;
}

export function runId(): string {
  const id = process.env[RUN_ID_VARIABLE];
  if (id === undefined) throw new Error('the e2e global setup did not run');
  return id;
}

export function redisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}
