import { DataSource, DataSourceOptions } from 'typeorm';
import { Client } from 'pg';
import type { AppConfig } from '../config/config.schema';
import { entities } from './entities';
import { migrations } from './migrations';

export function dataSourceOptions(config: Pick<AppConfig, 'databaseUrl'>): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 20, connectionTimeoutMillis: 5000 },
  };
}

/** Creates the database named in DATABASE_URL when it does not exist and the role may create it. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (name === '') return;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch {
    return; // the maintenance database is out of reach: let the real connection report the error
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } catch (error) {
    // 42P04: created meanwhile by another process; 42501: no right to create — both fine here
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '42501') throw error;
  } finally {
    await client.end();
  }
}

export async function runMigrations(config: Pick<AppConfig, 'databaseUrl'>): Promise<string[]> {
  await ensureDatabase(config.databaseUrl);
  const dataSource = new DataSource(dataSourceOptions(config));
  await dataSource.initialize();
  // Two processes starting at once must not both migrate: serialize on a session advisory lock
  // held by one dedicated connection.
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock(727274001)');
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}
