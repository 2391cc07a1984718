import request from 'supertest';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { keyIdOf } from '../../src/enrollment/secret-box';
import { makeOrganization, makeUser } from '../helpers/factories';
import { runCli } from '../helpers/run-cli';
import { createScratchDatabase, ScratchDatabase } from '../helpers/scratch-database';
import { spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import { testEnv } from '../helpers/test-app';
import { currentStep, decodeQr, sleep, totpAt } from '../helpers/two-factor';

/** Three keys, written here: the ids expected below come from SHA-256 in keyIdOf's own words. */
const OLD = Buffer.alloc(32, 0x11).toString('base64');
const NEW = Buffer.alloc(32, 0x22).toString('base64');
const OTHER = Buffer.alloc(32, 0x33).toString('base64');
const OLD_ID = keyIdOf(Buffer.from(OLD, 'base64'));
const NEW_ID = keyIdOf(Buffer.from(NEW, 'base64'));

interface Person {
  email: string;
  password: string;
  secret?: string;
  lastStep?: number;
}

/**
 * Key rotation against the real process (src/main.ts) and the real CLI on a database of its own:
 * old key only, new key with the old one as previous, after secrets:rotate, new key only, and a
 * key set that cannot open what is stored.
 */
describe('TOTP secret key rotation (real process, real CLI)', () => {
  let database: ScratchDatabase;
  let db: DataSource;
  let app: SpawnedApp | undefined;
  let alice: Person;
  let carl: Person;

  beforeAll(async () => {
    database = await createScratchDatabase('rotation');
    db = await new DataSource(dataSourceOptions({ databaseUrl: database.url })).initialize();
    // an organization that requires 2FA: its members enroll at their first sign-in
    const organization = await makeOrganization(db, { require2fa: true });
    alice = await makeUser(db, { organizationId: organization.id });
    carl = await makeUser(db, { organizationId: organization.id });
  });
  afterAll(async () => {
    await stop();
    await db?.destroy();
    await database?.drop();
  });

  async function start(keys: Record<string, string>, extra: Record<string, string> = {}) {
    await stop();
    app = spawnApp({
      ...testEnv(),
      DATABASE_URL: database.url,
      ROLES: 'api',
      LOG_LEVEL: 'warn',
      SECRET_KEY: '',
      SECRET_KEYS_PREVIOUS: '',
      ...keys,
      ...extra,
    });
    await waitForOutput(app, /web and API: http/, 90_000);
    const url = /web and API: (http:\/\/\S+)/.exec(app.output())?.[1] as string;
    return request(url);
  }

  async function stop(): Promise<void> {
    const running = app;
    app = undefined;
    if (running === undefined || running.child.exitCode !== null) return;
    running.child.kill('SIGTERM');
    await running.exited;
  }

  function cli(args: string[], keys: Record<string, string>) {
    return runCli(args, {
      env: { DATABASE_URL: database.url, SECRET_KEY: '', SECRET_KEYS_PREVIOUS: '', ...keys },
    });
  }

  /**
   * A step this user has not spent: the current one or the next, so the code is still inside the
   * server's ±1 window if the step rolls over before it arrives (waits when both are spent).
   */
  async function freshStep(person: Person): Promise<number> {
    for (;;) {
      const now = currentStep();
      const step = Math.max(now, (person.lastStep ?? 0) + 1);
      if (step <= now + 1) {
        person.lastStep = step;
        return step;
      }
      await sleep((now + 1) * 30_000 - Date.now() + 250);
    }
  }

  async function enroll(http: request.Agent | ReturnType<typeof request>, person: Person) {
    const login = await http
      .post('/api/auth/login')
      .send({ email: person.email, password: person.password })
      .expect(200);
    expect(login.body).toEqual({ next: 'enroll', challenge: expect.any(String) });
    const challenge = (login.body as { challenge: string }).challenge;
    const started = await http.post('/api/auth/enroll').send({ challenge }).expect(200);
    const uri = decodeQr((started.body as { qrCode: string }).qrCode);
    person.secret = new URL(uri).searchParams.get('secret') as string;
    // time steps stay once per user across enrollments: keep counting from the last one spent
    await http
      .post('/api/auth/enroll/confirm')
      .send({ challenge, code: totpAt(person.secret, await freshStep(person)) })
      .expect(200);
  }

  /** Password, then a code from oathtool: the session's token. */
  async function signIn(http: ReturnType<typeof request>, person: Person): Promise<string> {
    const login = await http
      .post('/api/auth/login')
      .send({ email: person.email, password: person.password })
      .expect(200);
    expect(login.body).toEqual({ next: 'totp', challenge: expect.any(String) });
    const response = await http
      .post('/api/auth/totp')
      .send({
        challenge: (login.body as { challenge: string }).challenge,
        code: totpAt(person.secret as string, await freshStep(person)),
      })
      .expect(200);
    return (response.body as { accessToken: string }).accessToken;
  }

  function statusLines(stdout: string): Map<string, string> {
    const lines = new Map<string, string>();
    for (const match of stdout.matchAll(/^([0-9a-f]{8})\s+(\d+)\s+(.+)$/gm)) {
      lines.set(match[1], `${match[2]} ${match[3]}`);
    }
    return lines;
  }

  it('keeps every factor working from the old key, through both, rotation, to the new key alone', async () => {
    // 1. the old key only: Alice enrolls
    let http = await start({ SECRET_KEY: OLD });
    await enroll(http, alice);
    await signIn(http, alice);

    // 2. the new key, the old one as previous: Alice signs in with her code, Carl enrolls (new key)
    http = await start({ SECRET_KEY: NEW, SECRET_KEYS_PREVIOUS: OLD });
    await signIn(http, alice);
    await enroll(http, carl);
    const both = await cli(['secrets:status'], { SECRET_KEY: NEW, SECRET_KEYS_PREVIOUS: OLD });
    expect(both.code).toBe(0);
    expect(statusLines(both.stdout)).toEqual(
      new Map([
        [OLD_ID, '1 previous'],
        [NEW_ID, '1 current'],
      ]),
    );
    expect(both.stdout).toContain('0 sealed secret(s) cannot be opened');

    // 3. rotation while the service runs, then again (nothing left to do)
    const rotated = await cli(['secrets:rotate'], { SECRET_KEY: NEW, SECRET_KEYS_PREVIOUS: OLD });
    expect(rotated.stderr).toBe('');
    expect(rotated.stdout).toContain('Re-sealed 1 secret(s) under the current key');
    expect(rotated.code).toBe(0);
    const again = await cli(['secrets:rotate'], { SECRET_KEY: NEW, SECRET_KEYS_PREVIOUS: OLD });
    expect(again.stdout).toContain('Re-sealed 0 secret(s)');
    await signIn(http, alice);
    const after = await cli(['secrets:status'], { SECRET_KEY: NEW, SECRET_KEYS_PREVIOUS: OLD });
    expect(statusLines(after.stdout)).toEqual(new Map([[NEW_ID, '2 current']]));

    // 4. the new key alone opens everything
    http = await start({ SECRET_KEY: NEW });
    await signIn(http, alice);
    await signIn(http, carl);
    const only = await cli(['secrets:status'], { SECRET_KEY: NEW });
    expect(statusLines(only.stdout)).toEqual(new Map([[NEW_ID, '2 current']]));
    expect((app as SpawnedApp).output()).not.toMatch(/cannot be opened/);
  }, 300_000);

  it('starts with a key set that cannot open the secrets, says how many, and asks those users to enroll again', async () => {
    // (after the first test every secret is sealed with NEW; this key set lacks it)
    const http = await start({ SECRET_KEY: OTHER, SECRET_KEYS_PREVIOUS: OLD });
    await waitForOutput(app as SpawnedApp, /cannot be opened/, 30_000);
    const output = (app as SpawnedApp).output();
    expect(output).toMatch(/2 sealed TOTP secret\(s\) cannot be opened/);
    expect(output).toContain(NEW_ID);
    for (const secretValue of [OLD, NEW, OTHER, alice.secret as string, carl.secret as string]) {
      expect(output).not.toContain(secretValue);
    }
    const status = await cli(['secrets:status'], { SECRET_KEY: OTHER, SECRET_KEYS_PREVIOUS: OLD });
    expect(statusLines(status.stdout).get(NEW_ID)).toBe('2 unknown (cannot be opened)');
    expect(status.stdout).toContain('2 sealed secret(s) cannot be opened');

    // the password alone never opens a session: the next step is a new enrollment
    const login = await http
      .post('/api/auth/login')
      .send({ email: alice.email, password: alice.password })
      .expect(200);
    expect(login.body).toEqual({ next: 'enroll', challenge: expect.any(String) });
    expect(login.body).not.toHaveProperty('accessToken');
    // nor does a code of the old authenticator (there is no TOTP step to send it to)
    await http
      .post('/api/auth/totp')
      .send({
        challenge: (login.body as { challenge: string }).challenge,
        code: totpAt(alice.secret as string, currentStep()),
      })
      .expect((response) => expect(response.status).toBeGreaterThanOrEqual(400));
    // re-enrolling gives Alice a factor sealed with the key now configured
    const oldSecret = alice.secret;
    await enroll(http, alice);
    expect(alice.secret).not.toBe(oldSecret);
    await signIn(http, alice);
    const afterwards = await cli(['secrets:status'], {
      SECRET_KEY: OTHER,
      SECRET_KEYS_PREVIOUS: OLD,
    });
    expect(statusLines(afterwards.stdout)).toEqual(
      new Map([
        [keyIdOf(Buffer.from(OTHER, 'base64')), '1 current'],
        [NEW_ID, '1 unknown (cannot be opened)'],
      ]),
    );
  }, 300_000);
});
