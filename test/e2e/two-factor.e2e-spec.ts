import { TwoFactorRepository } from '../../src/enrollment/two-factor.repository';
import { makeOrganization, makeUser, signIn } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  auditActions,
  awayFromStepEdge,
  bearer,
  currentStep,
  decodeQr,
  loginChallenge,
  makeActiveFactor,
  totpAt,
} from '../helpers/two-factor';

jest.setTimeout(120_000);

/**
 * Enrollment from settings and at sign-in, and the TOTP second step. Codes come from oathtool,
 * QR codes are read back with zbarimg. Every user is fresh, so each test owns its time steps.
 */
describe('two-factor enrollment and sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('enrollment from settings', () => {
    it('gives a URI, its secret and a QR code of exactly that URI; confirms with a code', async () => {
      const user = await makeUser(t.dataSource, { name: 'Åsa Öberg' });
      const token = await signIn(t.http, user.email);
      const me0 = await t.http
        .get('/api/me')
        .set(...bearer(token))
        .expect(200);
      expect(me0.body.twoFactor).toEqual({ status: 'disabled', recoveryCodesRemaining: 0 });

      const started = await t.http
        .post('/api/me/2fa/enrollment')
        .set(...bearer(token))
        .expect(200);
      const { otpauthUri, secret, qrCode } = started.body as Record<string, string>;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
      const uri = new URL(otpauthUri);
      expect(uri.protocol).toBe('otpauth:');
      expect(uri.host).toBe('totp');
      expect(decodeURIComponent(uri.pathname)).toBe(`/Recovery Desk:${user.email}`);
      expect(Object.fromEntries(uri.searchParams)).toEqual({
        secret,
        issuer: 'Recovery Desk',
        algorithm: 'SHA1',
        digits: '6',
        period: '30',
      });
      expect(qrCode).toMatch(/^data:image\/png;base64,/);
      expect(decodeQr(qrCode)).toBe(otpauthUri);

      const pending = await t.http
        .get('/api/me')
        .set(...bearer(token))
        .expect(200);
      expect(pending.body.twoFactor.status).toBe('pending');

      const step = await awayFromStepEdge();
      // a wrong code: 400, and the enrollment stays pending
      const wrong = totpAt(secret, step) === '000000' ? '111111' : '000000';
      const refused = await t.http
        .post('/api/me/2fa/enrollment/confirm')
        .set(...bearer(token))
        .send({ code: wrong })
        .expect(400);
      expect(refused.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      const still = await t.http
        .get('/api/me')
        .set(...bearer(token))
        .expect(200);
      expect(still.body.twoFactor.status).toBe('pending');

      const confirmed = await t.http
        .post('/api/me/2fa/enrollment/confirm')
        .set(...bearer(token))
        .send({ code: totpAt(secret, step) })
        .expect(200);
      expect(confirmed.body.status).toBe('active');
      const codes = confirmed.body.recoveryCodes as string[];
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      // ≥ 64 bits each: 16 symbols of a 32-symbol alphabet
      for (const code of codes) expect(code.replace(/-/g, '')).toMatch(/^[0-9A-Z]{16}$/);

      const active = await t.http
        .get('/api/me')
        .set(...bearer(token))
        .expect(200);
      expect(active.body.twoFactor).toEqual({ status: 'active', recoveryCodesRemaining: 10 });
      // the secret is never shown again
      expect(JSON.stringify(active.body)).not.toContain(secret);
      expect(await auditActions(t.dataSource, user.id)).toEqual(
        expect.arrayContaining([
          'two_factor.enrollment_started',
          'two_factor.enrollment_code_failed',
          'two_factor.enabled',
        ]),
      );
    });

    it('replaces a pending enrollment when started again: the first secret no longer confirms', async () => {
      const user = await makeUser(t.dataSource);
      const token = await signIn(t.http, user.email);
      const first = await t.http
        .post('/api/me/2fa/enrollment')
        .set(...bearer(token))
        .expect(200);
      const second = await t.http
        .post('/api/me/2fa/enrollment')
        .set(...bearer(token))
        .expect(200);
      expect(second.body.secret).not.toBe(first.body.secret);
      const step = await awayFromStepEdge();
      await t.http
        .post('/api/me/2fa/enrollment/confirm')
        .set(...bearer(token))
        .send({ code: totpAt(first.body.secret as string, step) })
        .expect(400);
      await t.http
        .post('/api/me/2fa/enrollment/confirm')
        .set(...bearer(token))
        .send({ code: totpAt(second.body.secret as string, step) })
        .expect(200);
    });

    it('never replaces an active factor without a current code, and keeps it working until the new one is confirmed', async () => {
      const user = await makeUser(t.dataSource);
      const token = await signIn(t.http, user.email);
      const { secret } = await makeActiveFactor(t.dataSource, user.id);

      const conflict = await t.http
        .post('/api/me/2fa/enrollment')
        .set(...bearer(token))
        .expect(409);
      expect(conflict.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      const step = await awayFromStepEdge();
      const wrong = totpAt(secret, step - 3);
      await t.http
        .post('/api/me/2fa/enrollment')
        .set(...bearer(token))
        .send({ code: wrong })
        .expect(403);
      const me = await t.http
        .get('/api/me')
        .set(...bearer(token))
        .expect(200);
      expect(me.body.twoFactor.status).toBe('active');

      // with the current code (step-1), a replacement starts; the old factor still signs in (step)
      const replacement = await t.http
        .post('/api/me/2fa/enrollment')
        .set(...bearer(token))
        .send({ code: totpAt(secret, step - 1) })
        .expect(200);
      const stillActive = await t.http
        .get('/api/me')
        .set(...bearer(token))
        .expect(200);
      expect(stillActive.body.twoFactor.status).toBe('active');
      const challenge = await loginChallenge(t.http, user.email);
      await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: totpAt(secret, step) })
        .expect(200);
      // confirming the new secret (step+1) retires the old one
      const newSecret = replacement.body.secret as string;
      await t.http
        .post('/api/me/2fa/enrollment/confirm')
        .set(...bearer(token))
        .send({ code: totpAt(newSecret, step + 1) })
        .expect(200);
      const stored: { secret_key_id: string; pending_key_id: string | null }[] =
        await t.dataSource.query(
          `SELECT secret_key_id, pending_key_id FROM two_factor_factors WHERE user_id = $1`,
          [user.id],
        );
      expect(stored[0].pending_key_id).toBeNull();
    });
  });

  describe('sign-in with a code', () => {
    it('asks for a code, refuses a wrong one, accepts the right one, and refuses it again', async () => {
      const user = await makeUser(t.dataSource);
      const { secret } = await makeActiveFactor(t.dataSource, user.id);
      const step = await awayFromStepEdge();

      const challenge = await loginChallenge(t.http, user.email, 'totp');
      const wrong = await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: totpAt(secret, step + 5) })
        .expect(401);
      expect(wrong.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });

      const code = totpAt(secret, step);
      const done = await t.http.post('/api/auth/totp').send({ challenge, code }).expect(200);
      expect(done.body).toEqual({ next: 'done', accessToken: expect.any(String) });
      await t.http
        .get('/api/me')
        .set(...bearer(done.body.accessToken as string))
        .expect(200);

      // the challenge is single-use
      await t.http.post('/api/auth/totp').send({ challenge, code }).expect(401);
      // the same code inside its window, with a fresh challenge: a replay
      const again = await loginChallenge(t.http, user.email);
      await t.http.post('/api/auth/totp').send({ challenge: again, code }).expect(401);
      // so is any earlier step
      await t.http
        .post('/api/auth/totp')
        .send({ challenge: again, code: totpAt(secret, step - 1) })
        .expect(401);
      // the next step is still fine
      await t.http
        .post('/api/auth/totp')
        .send({ challenge: again, code: totpAt(secret, step + 1) })
        .expect(200);
      expect(await auditActions(t.dataSource, user.id)).toEqual(
        expect.arrayContaining(['two_factor.code_failed', 'auth.signed_in']),
      );
      const failures: { data: Record<string, unknown> }[] = await t.dataSource.query(
        `SELECT data FROM audit_events WHERE target_user_id = $1 AND action = 'two_factor.code_failed'`,
        [user.id],
      );
      expect(failures.map((f) => f.data.reason)).toEqual(['wrong', 'replayed', 'replayed']);
      // the trail says what failed, never the code
      expect(JSON.stringify(failures)).not.toContain(code);
    });

    it('accepts the code of the previous time step (clock drift)', async () => {
      const user = await makeUser(t.dataSource);
      const { secret } = await makeActiveFactor(t.dataSource, user.id);
      const step = await awayFromStepEdge();
      const challenge = await loginChallenge(t.http, user.email);
      await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: totpAt(secret, step - 1) })
        .expect(200);
    });

    it('refuses codes two steps away', async () => {
      const user = await makeUser(t.dataSource);
      const { secret } = await makeActiveFactor(t.dataSource, user.id);
      const step = await awayFromStepEdge();
      const challenge = await loginChallenge(t.http, user.email);
      await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: totpAt(secret, step - 2) })
        .expect(401);
      await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: totpAt(secret, step + 2) })
        .expect(401);
    });

    it('gives exactly one success for the same code submitted many times at once', async () => {
      const user = await makeUser(t.dataSource);
      const { secret } = await makeActiveFactor(t.dataSource, user.id);
      const step = await awayFromStepEdge(8);
      const code = totpAt(secret, step);
      // ten sign-ins racing with the same code (ten challenges) ...
      const challenges = await Promise.all(
        Array.from({ length: 10 }, () => loginChallenge(t.http, user.email)),
      );
      const results = await Promise.all(
        challenges.map((challenge) => t.http.post('/api/auth/totp').send({ challenge, code })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(401)]);
      // ... and a double-click: one challenge, the next code, twice
      const c = await loginChallenge(t.http, user.email);
      const next = totpAt(secret, step + 1);
      const clicks = await Promise.all(
        [c, c].map((challenge) => t.http.post('/api/auth/totp').send({ challenge, code: next })),
      );
      expect(clicks.map((r) => r.status).sort()).toEqual([200, 401]);
      const sessions: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`,
        [user.id],
      );
      expect(sessions[0].n).toBe(2);
    });

    it('accepts each time step once in the database itself, whatever the order of arrival', async () => {
      // the guarded UPDATE alone, without the check before it: of concurrent consumers of one
      // step exactly one wins, and an earlier step never wins after a later one
      const user = await makeUser(t.dataSource);
      await makeActiveFactor(t.dataSource, user.id);
      const repository = t.app.get(TwoFactorRepository);
      const step = currentStep();
      const wins = await Promise.all(
        Array.from({ length: 8 }, () => repository.consumeStep(user.id, step)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      await expect(repository.consumeStep(user.id, step - 1)).resolves.toBe(false);
      await expect(repository.consumeStep(user.id, step + 1)).resolves.toBe(true);
    });

    it('refuses malformed input with 400 and unknown or mismatched challenges with 401', async () => {
      const user = await makeUser(t.dataSource);
      await makeActiveFactor(t.dataSource, user.id);
      const challenge = await loginChallenge(t.http, user.email);
      const bad = await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: '12ab56' })
        .expect(400);
      expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(JSON.stringify(bad.body.message)).toContain('code');
      await t.http.post('/api/auth/totp').send({ code: '123456' }).expect(400);
      await t.http
        .post('/api/auth/totp')
        .send({ challenge, code: '123456', extra: true })
        .expect(400);
      await t.http
        .post('/api/auth/totp')
        .send({ challenge: 'rdc_not-a-real-one', code: '123456' })
        .expect(401);
      // a totp challenge cannot enroll
      await t.http.post('/api/auth/enroll').send({ challenge }).expect(401);
    });
  });

  describe('enrollment forced at sign-in', () => {
    it('asks a member of an organization that requires 2FA to enroll, then signs them in', async () => {
      const organization = await makeOrganization(t.dataSource, { require2fa: true });
      const user = await makeUser(t.dataSource, { organizationId: organization.id });
      const challenge = await loginChallenge(t.http, user.email, 'enroll');
      // no session yet: the challenge is not a token
      await t.http
        .get('/api/me')
        .set(...bearer(challenge))
        .expect(401);
      await t.http.post('/api/auth/totp').send({ challenge, code: '123456' }).expect(401);

      const enrollment = await t.http.post('/api/auth/enroll').send({ challenge }).expect(200);
      const { otpauthUri, secret, qrCode } = enrollment.body as Record<string, string>;
      expect(decodeQr(qrCode)).toBe(otpauthUri);
      const step = await awayFromStepEdge();
      await t.http
        .post('/api/auth/enroll/confirm')
        .send({ challenge, code: totpAt(secret, step + 7) })
        .expect(400);
      const done = await t.http
        .post('/api/auth/enroll/confirm')
        .send({ challenge, code: totpAt(secret, step) })
        .expect(200);
      expect(done.body).toEqual({
        next: 'done',
        accessToken: expect.any(String),
        recoveryCodes: expect.any(Array),
      });
      expect(done.body.recoveryCodes).toHaveLength(10);
      const me = await t.http
        .get('/api/me')
        .set(...bearer(done.body.accessToken as string))
        .expect(200);
      expect(me.body.twoFactor).toEqual({ status: 'active', recoveryCodesRemaining: 10 });
      // the challenge is used up
      await t.http
        .post('/api/auth/enroll/confirm')
        .send({ challenge, code: totpAt(secret, step + 1) })
        .expect(401);
      // from now on sign-in asks for a code
      await loginChallenge(t.http, user.email, 'totp');
    });

    it('signs in members without 2FA directly when the organization does not require it', async () => {
      const user = await makeUser(t.dataSource);
      await signIn(t.http, user.email);
      // a pending (unconfirmed) enrollment is not a factor yet
      const token = await signIn(t.http, user.email);
      await t.http
        .post('/api/me/2fa/enrollment')
        .set(...bearer(token))
        .expect(200);
      await signIn(t.http, user.email);
    });
  });
});
