import { makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  auditActions,
  awayFromStepEdge,
  loginChallenge,
  makeActiveFactor,
  totpAt,
} from '../helpers/two-factor';

jest.setTimeout(120_000);

/** A code that is not the current one: from a step far outside the ±1 window. */
function wrongCode(secret: string, step: number, attempt: number): string {
  return totpAt(secret, step + 10 + attempt);
}

describe('lock-out after 10 wrong codes in a row', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('locks at the 10th failure for 15 minutes with Retry-After, even across a restart', async () => {
    const user = await makeUser(t.dataSource);
    const { secret, recoveryCodes } = await makeActiveFactor(t.dataSource, user.id);
    const step = await awayFromStepEdge(10);
    const challenge = await loginChallenge(t.http, user.email);

    for (let attempt = 1; attempt <= 9; attempt += 1) {
      await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: wrongCode(secret, step, attempt) })
        .expect(401);
    }
    const tenth = await t.http
      .post('/api/auth/totp')
      .send({ challenge, code: wrongCode(secret, step, 10) })
      .expect(429);
    expect(tenth.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    const retryAfter = Number(tenth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);

    // locked: the right code is not even checked, nor is a recovery code
    const right = totpAt(secret, step);
    const locked = await t.http.post('/api/auth/totp').send({ challenge, code: right }).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    await t.http
      .post('/api/auth/recovery-code')
      .send({ challenge, code: recoveryCodes[0] })
      .expect(429);
    expect(await auditActions(t.dataSource, user.id)).toContain('two_factor.locked');

    // the lock lives in PostgreSQL: a restarted process still honours it
    await t.close();
    t = await startTestApp();
    const afterRestart = await t.http
      .post('/api/auth/totp')
      .send({ challenge, code: right })
      .expect(429);
    expect(Number(afterRestart.headers['retry-after'])).toBeGreaterThan(14 * 60 - 60);

    // once the 15 minutes are over (moved back here rather than waited for), the code works: it
    // was never used up while the factor was locked
    await t.dataSource.query(
      `UPDATE two_factor_factors SET locked_until = now() - interval '1 second' WHERE user_id = $1`,
      [user.id],
    );
    await t.http.post('/api/auth/totp').send({ challenge, code: right }).expect(200);
  });

  it('counts failures in a row: a success starts the count again', async () => {
    const user = await makeUser(t.dataSource);
    const { secret } = await makeActiveFactor(t.dataSource, user.id);
    const step = await awayFromStepEdge(10);
    const first = await loginChallenge(t.http, user.email);
    for (let attempt = 1; attempt <= 9; attempt += 1) {
      await t.http
        .post('/api/auth/totp')
        .send({ challenge: first, code: wrongCode(secret, step, attempt) })
        .expect(401);
    }
    await t.http
      .post('/api/auth/totp')
      .send({ challenge: first, code: totpAt(secret, step) })
      .expect(200);
    const second = await loginChallenge(t.http, user.email);
    for (let attempt = 1; attempt <= 9; attempt += 1) {
      await t.http
        .post('/api/auth/totp')
        .send({ challenge: second, code: wrongCode(secret, step, attempt) })
        .expect(401);
    }
    await t.http
      .post('/api/auth/totp')
      .send({ challenge: second, code: totpAt(secret, step + 1) })
      .expect(200);
  });

  it('counts wrong recovery codes and replayed codes too', async () => {
    const user = await makeUser(t.dataSource);
    const { secret } = await makeActiveFactor(t.dataSource, user.id);
    const step = await awayFromStepEdge(10);
    const challenge = await loginChallenge(t.http, user.email);
    await t.http
      .post('/api/auth/totp')
      .send({ challenge, code: totpAt(secret, step) })
      .expect(200);
    const again = await loginChallenge(t.http, user.email);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await t.http
        .post('/api/auth/recovery-code')
        .send({ challenge: again, code: 'AAAA-BBBB-CCCC-DDDD' })
        .expect(401);
    }
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      // the code just used, again: a replay
      await t.http
        .post('/api/auth/totp')
        .send({ challenge: again, code: totpAt(secret, step) })
        .expect(401);
    }
    await t.http
      .post('/api/auth/totp')
      .send({ challenge: again, code: totpAt(secret, step - 1) })
      .expect(429);
  });
});
