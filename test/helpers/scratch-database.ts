import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { runMigrations } from '../../src/database/data-source';
import { baseDatabaseUrl, runId } from './test-env';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of a test's own, beside the run's shared one, for tests that must break things (a
 * tampered audit chain) or need an empty database (the demo seed on start). Created and migrated unless told otherwise.
 */
export async function createScratchDatabase(
  label: string,
  /** create: false only names one (for start-up, which creates its own database) */
  options: { migrate?: boolean; create?: boolean } = {},
): Promise<ScratchDatabase> {
  const url = new URL(baseDatabaseUrl());
  url.pathname = `/rd_test_${runId()}_${label}_${randomBytes(3).toString('hex')}`;
  const name = url.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const create = options.create ?? true;
  if (create) await run(`CREATE DATABASE "${name}"`);
  if (create && (options.migrate ?? true)) await runMigrations({ databaseUrl: url.toString() });
  return {
    url: url.toString(),
    drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
