import Redis from 'ioredis';
import { Client } from 'pg';
import { baseDatabaseUrl, redisUrl, runId } from './test-env';

/** Drops the run's database (unless given by TEST_DATABASE_URL or KEEP_TEST_DB) and its Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `rdt-${runId()}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis cleanup is best effort: keys carry the run id and harm nobody
  } finally {
    redis.disconnect();
  }
  if (process.env.TEST_DATABASE_URL !== undefined || process.env.KEEP_TEST_DB !== undefined) return;
  const target = new URL(baseDatabaseUrl());
  const name = target.pathname.slice(1);
  target.pathname = '/postgres';
  const client = new Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
