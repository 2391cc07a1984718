import request from 'supertest';
import { Client } from 'pg';
import { createScratchDatabase, ScratchDatabase } from '../helpers/scratch-database';
import { spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import { PRODUCTION_ENV, testEnv } from '../helpers/test-app';

/** Waits for the child to exit; fails (rather than hangs) if it does not within the limit. */
async function exitOf(app: SpawnedApp, limitMs: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), limitMs);
  });
  const result = await Promise.race([app.exited, limit]);
  clearTimeout(timer);
  if (result === 'hung') {
    app.child.kill('SIGKILL');
    throw new Error(`process did not exit after SIGTERM; output:\n${app.output()}`);
  }
  return result;
}

async function countRows(url: string, table: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return result.rows[0].n;
  } finally {
    await client.end();
  }
}

describe('the real process (src/main.ts)', () => {
  let database: ScratchDatabase;
  let app: SpawnedApp | undefined;
  afterEach(async () => {
    if (app !== undefined && app.child.exitCode === null && app.child.signalCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    app = undefined;
    await database?.drop();
  });

  it('creates and migrates a missing database, seeds the demo, prints sign-ins that work, and exits 0 on SIGTERM', async () => {
    database = await createScratchDatabase('start', { create: false });
    app = spawnApp({ ...testEnv(), DATABASE_URL: database.url });
    await waitForOutput(app, /sign in at/, 90_000);
    const output = app.output();
    const url = /web and API: (http:\/\/\S+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    const signIn = /(owner@demo-clinic\.test)\s+password: (\S+)/.exec(output);
    expect(signIn).not.toBeNull();
    expect(output).toMatch(/agent@recovery-desk\.test\s+password: /);

    const http = request(url ?? '');
    const login = await http
      .post('/api/auth/login')
      .send({ email: signIn?.[1], password: signIn?.[2] })
      .expect(200);
    expect(login.body.next).toBe('done');
    await http.get('/health').expect(200);

    app.child.kill('SIGTERM');
    // generous: this checks that it exits cleanly, not how fast
    expect(await exitOf(app, 30_000)).toBe(0);
    expect(app.output()).toMatch(/SIGTERM: shutting down gracefully/);
  });

  it('never seeds a demo with NODE_ENV=production', async () => {
    database = await createScratchDatabase('prod', { create: false });
    app = spawnApp({ ...testEnv(), ...PRODUCTION_ENV, DATABASE_URL: database.url });
    await waitForOutput(app, /Recovery Desk running/, 90_000);
    expect(await countRows(database.url, 'organizations')).toBe(0);
    expect(app.output()).not.toMatch(/password:/);
    app.child.kill('SIGTERM');
    expect(await exitOf(app, 30_000)).toBe(0);
  });
});
