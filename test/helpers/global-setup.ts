import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runMigrations } from '../../src/database/data-source';
import { baseDatabaseUrl, RUN_ID_VARIABLE } from './test-env';

export default async function globalSetup(): Promise<void> {
  process.env[RUN_ID_VARIABLE] ??= `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  process.env.NODE_ENV = 'test';
  // creates the run's database when missing, then applies every migration once
  await runMigrations({ databaseUrl: baseDatabaseUrl() });
  // Some e2e tests start dist/main.js as a real child process; make sure it is current.
  const root = path.resolve(__dirname, '../..');
  if (existsSync(path.join(root, 'scripts/build-if-needed.js'))) {
    execFileSync(process.execPath, [path.join(root, 'scripts/build-if-needed.js')], {
      cwd: root,
      stdio: 'inherit',
    });
  }
}
