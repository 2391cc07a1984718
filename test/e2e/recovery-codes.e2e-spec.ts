import { makeUser, signIn } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  auditActions,
  awayFromStepEdge,
  bearer,
  loginChallenge,
  makeActiveFactor,
  totpAt,
} from '../helpers/two-factor';

jest.setTimeout(120_000);

describe('recovery codes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function remaining(token: string): Promise<number> {
    const me = await t.http
      .get('/api/me')
      .set(...bearer(token))
      .expect(200);
    return (me.body as { twoFactor: { recoveryCodesRemaining: number } }).twoFactor
      .recoveryCodesRemaining;
  }

  it('signs in with a recovery code instead of a TOTP code, each code once', async () => {
    const user = await makeUser(t.dataSource);
    const { recoveryCodes } = await makeActiveFactor(t.dataSource, user.id);

    const challenge = await loginChallenge(t.http, user.email);
    const done = await t.http
      .post('/api/auth/recovery-code')
      .send({ challenge, code: recoveryCodes[0] })
      .expect(200);
    expect(done.body).toEqual({ next: 'done', accessToken: expect.any(String) });
    const token = done.body.accessToken as string;
    expect(await remaining(token)).toBe(9);

    const again = await loginChallenge(t.http, user.email);
    const refused = await t.http
      .post('/api/auth/recovery-code')
      .send({ challenge: again, code: recoveryCodes[0] })
      .expect(401);
    expect(refused.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });

    // typed by hand: lower case, no dashes, spaces
    const typed = recoveryCodes[1].toLowerCase().replace(/-/g, ' ');
    await t.http
      .post('/api/auth/recovery-code')
      .send({ challenge: again, code: typed })
      .expect(200);
    expect(await remaining(token)).toBe(8);
    const actions = await auditActions(t.dataSource, user.id);
    expect(actions.filter((a) => a === 'two_factor.recovery_code_used')).toHaveLength(2);
    const events: { data: unknown }[] = await t.dataSource.query(
      `SELECT data FROM audit_events WHERE target_user_id = $1`,
      [user.id],
    );
    for (const code of recoveryCodes) expect(JSON.stringify(events)).not.toContain(code);
  });

  it('gives one success for the same recovery code submitted twice at once', async () => {
    const user = await makeUser(t.dataSource);
    const { recoveryCodes } = await makeActiveFactor(t.dataSource, user.id);
    const [a, b] = await Promise.all([
      loginChallenge(t.http, user.email),
      loginChallenge(t.http, user.email),
    ]);
    const results = await Promise.all(
      [a, b].map((challenge) =>
        t.http.post('/api/auth/recovery-code').send({ challenge, code: recoveryCodes[3] }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('regenerates a fresh set of 10 with a valid code; the old set stops working', async () => {
    const user = await makeUser(t.dataSource);
    const token = await signIn(t.http, user.email);
    const { secret, recoveryCodes: old } = await makeActiveFactor(t.dataSource, user.id);
    const step = await awayFromStepEdge();

    await t.http
      .post('/api/me/2fa/recovery-codes')
      .set(...bearer(token))
      .send({})
      .expect(400);
    await t.http
      .post('/api/me/2fa/recovery-codes')
      .set(...bearer(token))
      .send({ code: totpAt(secret, step + 4) })
      .expect(403);
    const fresh = await t.http
      .post('/api/me/2fa/recovery-codes')
      .set(...bearer(token))
      .send({ code: totpAt(secret, step) })
      .expect(200);
    const codes = fresh.body.recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(codes.filter((code) => old.includes(code))).toEqual([]);
    expect(await remaining(token)).toBe(10);
    expect(await auditActions(t.dataSource, user.id)).toContain(
      'two_factor.recovery_codes_regenerated',
    );

    const challenge = await loginChallenge(t.http, user.email);
    await t.http.post('/api/auth/recovery-code').send({ challenge, code: old[0] }).expect(401);
    await t.http.post('/api/auth/recovery-code').send({ challenge, code: codes[0] }).expect(200);
  });

  it('refuses to regenerate without an active factor (409) and oversized input (400)', async () => {
    const user = await makeUser(t.dataSource);
    const token = await signIn(t.http, user.email);
    await t.http
      .post('/api/me/2fa/recovery-codes')
      .set(...bearer(token))
      .send({ code: '123456' })
      .expect(409);
    const other = await makeUser(t.dataSource);
    await makeActiveFactor(t.dataSource, other.id);
    const challenge = await loginChallenge(t.http, other.email);
    await t.http
      .post('/api/auth/recovery-code')
      .send({ challenge, code: 'A'.repeat(65) })
      .expect(400);
  });
});
