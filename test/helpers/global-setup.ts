import { randomBytes } from 'node:crypto';
import { runMigrations } from '../../src/database/data-source';
import { baseDatabaseUrl, RUN_ID_VARIABLE } from './test-env';

export default async function globalSetup(): Promise<void> {
  process.env[RUN_ID_VARIABLE] ??= `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  process.env.NODE_ENV = 'test';
  // creates the run's database when missing, then applies every migration once
  await runMigrations({ databaseUrl: baseDatabaseUrl() });
}
