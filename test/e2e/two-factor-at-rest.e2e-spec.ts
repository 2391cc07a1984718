import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keyIdOf } from '../../src/enrollment/secret-box';
import { decodeBase32 } from '../../src/enrollment/totp';
import { makeOrganization, makeUser, signIn } from '../helpers/factories';
import { startTestApp, TEST_SECRET_KEY, TestApp } from '../helpers/test-app';
import { baseDatabaseUrl } from '../helpers/test-env';
import {
  awayFromStepEdge,
  bearer,
  deliveredMail,
  loginChallenge,
  totpAt,
} from '../helpers/two-factor';

jest.setTimeout(120_000);

/** Every row of every table, as pg_dump writes it (bytea as \x hex, jsonb as text). */
function dumpDatabase(): string {
  return execFileSync('pg_dump', ['--data-only', '--no-owner', `--dbname=${baseDatabaseUrl()}`], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    // pg_dump warns about circular foreign keys on a data-only dump: irrelevant here
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

describe('TOTP secrets at rest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('never stores a secret in plaintext anywhere in the database', async () => {
    // three enrollments: confirmed from settings, confirmed at a forced sign-in, left pending
    const secrets: string[] = [];
    const step = await awayFromStepEdge();
    const settingsUser = await makeUser(t.dataSource);
    const token = await signIn(t.http, settingsUser.email);
    const a = await t.http
      .post('/api/me/2fa/enrollment')
      .set(...bearer(token))
      .expect(200);
    secrets.push(a.body.secret as string);
    await t.http
      .post('/api/me/2fa/enrollment/confirm')
      .set(...bearer(token))
      .send({ code: totpAt(a.body.secret as string, step) })
      .expect(200);

    const organization = await makeOrganization(t.dataSource, { require2fa: true });
    const forced = await makeUser(t.dataSource, { organizationId: organization.id });
    const challenge = await loginChallenge(t.http, forced.email, 'enroll');
    const b = await t.http.post('/api/auth/enroll').send({ challenge }).expect(200);
    secrets.push(b.body.secret as string);
    await t.http
      .post('/api/auth/enroll/confirm')
      .send({ challenge, code: totpAt(b.body.secret as string, step) })
      .expect(200);

    const pendingUser = await makeUser(t.dataSource);
    const pendingToken = await signIn(t.http, pendingUser.email);
    const c = await t.http
      .post('/api/me/2fa/enrollment')
      .set(...bearer(pendingToken))
      .expect(200);
    secrets.push(c.body.secret as string);

    // the "enabled" mail has gone out (its row and vars are in the dump too)
    const mail = await deliveredMail(
      t.dataSource,
      t.outboxDir,
      settingsUser.id,
      'two_factor_enabled',
    );
    expect(mail.eml.subject).toBe('Two-factor authentication is now on');

    const dump = dumpDatabase();
    const lower = dump.toLowerCase();
    // sanity: the dump does hold the factor rows, sealed with the configured key
    expect(dump).toContain(settingsUser.id);
    const rows: { secret_key_id: string; secret_ciphertext: Buffer }[] = await t.dataSource.query(
      `SELECT secret_key_id, secret_ciphertext FROM two_factor_factors WHERE user_id = $1`,
      [settingsUser.id],
    );
    expect(rows[0].secret_key_id).toBe(keyIdOf(Buffer.from(TEST_SECRET_KEY, 'base64')));
    expect(lower).toContain(rows[0].secret_ciphertext.toString('hex'));

    for (const secret of secrets) {
      const bytes = decodeBase32(secret);
      expect(lower).not.toContain(secret.toLowerCase());
      expect(lower).not.toContain(bytes.toString('hex'));
      expect(dump).not.toContain(bytes.toString('base64').replace(/=+$/, ''));
      expect(dump).not.toContain(bytes.toString('base64url'));
      // and not in the mail that went out
      expect(readFileSync(path.join(t.outboxDir, `${mail.rows[0].id}.eml`), 'utf8')).not.toContain(
        secret,
      );
    }
  });
});

describe('the development key', () => {
  it('is created once under VAR_DIR (mode 0600) when SECRET_KEY is unset, and reused after a restart', async () => {
    const varDir = mkdtempSync(path.join(tmpdir(), 'rd-var-'));
    let t = await startTestApp({ SECRET_KEY: '', VAR_DIR: varDir });
    try {
      const keyFile = path.join(varDir, 'secret-key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
      expect(key).toHaveLength(32);

      const user = await makeUser(t.dataSource);
      const token = await signIn(t.http, user.email);
      const started = await t.http
        .post('/api/me/2fa/enrollment')
        .set(...bearer(token))
        .expect(200);
      const secret = started.body.secret as string;
      const step = await awayFromStepEdge();
      await t.http
        .post('/api/me/2fa/enrollment/confirm')
        .set(...bearer(token))
        .send({ code: totpAt(secret, step - 1) })
        .expect(200);
      const stored: { secret_key_id: string }[] = await t.dataSource.query(
        `SELECT secret_key_id FROM two_factor_factors WHERE user_id = $1`,
        [user.id],
      );
      expect(stored[0].secret_key_id).toBe(keyIdOf(key));

      await t.close();
      t = await startTestApp({ SECRET_KEY: '', VAR_DIR: varDir });
      expect(readFileSync(keyFile, 'utf8').trim()).toBe(key.toString('base64'));
      // the secret sealed before the restart still opens
      const challenge = await loginChallenge(t.http, user.email);
      await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: totpAt(secret, step) })
        .expect(200);
    } finally {
      await t.close();
    }
  });
});
