import { ACCOUNT_FAILURE_LIMIT, IP_FAILURE_LIMIT } from '../../src/sign-in/login-rate-limiter';
import { expectErrorShape } from '../helpers/assertions';
import {
  DEFAULT_PASSWORD,
  makeOrganization,
  makeUser,
  signIn,
  uniqueEmail,
} from '../helpers/factories';
import { makeSignedInAgent } from '../helpers/two-factor';
import { startTestApp, TestApp } from '../helpers/test-app';

function login(t: TestApp, email: string, password: string) {
  return t.http.post('/api/auth/login').send({ email, password });
}

describe('accounts: sign-in, sessions, /api/me, roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('POST /api/auth/login', () => {
    it('signs in with the right password: next "done" and an opaque bearer token', async () => {
      const user = await makeUser(t.dataSource);
      const response = await login(t, user.email, DEFAULT_PASSWORD).expect(200);
      expect(response.body).toEqual({ next: 'done', accessToken: expect.any(String) });
      const token = response.body.accessToken as string;
      expect(token.length).toBeGreaterThanOrEqual(40);
      // only a hash of the token is stored
      const sessions = await t.dataSource.query(
        'SELECT token_hash FROM sessions WHERE user_id = $1',
        [user.id],
      );
      expect(sessions).toHaveLength(1);
      expect(JSON.stringify(sessions)).not.toContain(token);
      const events = await t.dataSource.query(
        `SELECT action FROM audit_events WHERE target_user_id = $1 ORDER BY id`,
        [user.id],
      );
      expect(events.map((e: { action: string }) => e.action)).toContain('auth.signed_in');
    });

    it('compares the e-mail case-insensitively', async () => {
      const user = await makeUser(t.dataSource);
      await signIn(t.http, `  ${user.email.toUpperCase()} `);
    });

    it('answers a wrong password and an unknown e-mail with the same 401 body', async () => {
      const user = await makeUser(t.dataSource);
      const wrong = await login(t, user.email, 'not the password').expect(401);
      const unknown = await login(t, uniqueEmail('nobody'), DEFAULT_PASSWORD).expect(401);
      expectErrorShape(wrong.body, 401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.headers['retry-after']).toBeUndefined();
      // a wrong password is audited for the account; no session is created
      const sessions = await t.dataSource.query('SELECT 1 FROM sessions WHERE user_id = $1', [
        user.id,
      ]);
      expect(sessions).toHaveLength(0);
      const events = await t.dataSource.query(
        `SELECT action FROM audit_events WHERE target_user_id = $1`,
        [user.id],
      );
      expect(events).toEqual([{ action: 'auth.password_failed' }]);
    });
  });

  describe('POST /api/auth/logout', () => {
    it('ends the session (204); the token stops working, other sessions live on', async () => {
      const user = await makeUser(t.dataSource);
      const first = await signIn(t.http, user.email);
      const second = await signIn(t.http, user.email);
      await t.http.post('/api/auth/logout').set('Authorization', `Bearer ${first}`).expect(204);
      const after = await t.http.get('/api/me').set('Authorization', `Bearer ${first}`).expect(401);
      expectErrorShape(after.body, 401);
      await t.http.post('/api/auth/logout').set('Authorization', `Bearer ${first}`).expect(401);
      await t.http.get('/api/me').set('Authorization', `Bearer ${second}`).expect(200);
      const [session] = await t.dataSource.query(
        'SELECT count(*)::int AS revoked FROM sessions WHERE user_id = $1 AND revoked_at IS NOT NULL',
        [user.id],
      );
      expect(session.revoked).toBe(1);
    });

    it('needs a session (401 without one)', async () => {
      const response = await t.http.post('/api/auth/logout').expect(401);
      expectErrorShape(response.body, 401);
    });
  });

  describe('GET /api/me', () => {
    it('describes the signed-in user', async () => {
      const organization = await makeOrganization(t.dataSource);
      const user = await makeUser(t.dataSource, {
        organizationId: organization.id,
        role: 'admin',
        name: 'Anders Admin',
        locale: 'sv',
      });
      const token = await signIn(t.http, user.email);
      const me = await t.http.get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(me.body).toMatchObject({
        id: user.id,
        email: user.email,
        name: 'Anders Admin',
        role: 'admin',
        organizationId: organization.id,
        twoFactor: { status: 'disabled', recoveryCodesRemaining: 0 },
      });
      const text = JSON.stringify(me.body);
      expect(text).not.toMatch(/password|scrypt/i);
    });

    it.each([
      ['no token', undefined],
      ['a made-up token', 'Bearer rds_made-up-token'],
      ['an over-long token', `Bearer ${'x'.repeat(5000)}`],
      ['a non-bearer scheme', 'Basic dXNlcjpwYXNz'],
    ])('answers 401 for %s', async (_label, header) => {
      const request = t.http.get('/api/me');
      if (header !== undefined) request.set('Authorization', header);
      const response = await request.expect(401);
      expectErrorShape(response.body, 401);
    });

    it('answers 401 once the session has expired', async () => {
      const user = await makeUser(t.dataSource);
      const token = await signIn(t.http, user.email);
      await t.dataSource.query(
        `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [user.id],
      );
      await t.http.get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
    });
  });

  describe('role checks (agent-only routes)', () => {
    it.each(['owner', 'admin', 'practitioner'] as const)(
      'refuses a signed-in %s on GET /api/audit with 403',
      async (role) => {
        const user = await makeUser(t.dataSource, { role });
        const token = await signIn(t.http, user.email);
        for (const path of ['/api/audit', '/api/audit/verify']) {
          const response = await t.http
            .get(path)
            .set('Authorization', `Bearer ${token}`)
            .expect(403);
          expectErrorShape(response.body, 403);
        }
      },
    );

    it('lets a support agent in (200)', async () => {
      const { token } = await makeSignedInAgent(t.http, t.dataSource);
      await t.http.get('/api/audit').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('answers 401 (not 403) without a session', async () => {
      const response = await t.http.get('/api/audit').expect(401);
      expectErrorShape(response.body, 401);
    });
  });
});

// Each test gets its own app (a fresh Redis prefix): every request here comes from 127.0.0.1, so
// the per-IP budget must not be shared between them or with the tests above.
describe('sign-in rate limits', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  it(`throttles an account after ${ACCOUNT_FAILURE_LIMIT} failures: 429 with Retry-After, even for the right password`, async () => {
    const user = await makeUser(t.dataSource);
    for (let attempt = 0; attempt < ACCOUNT_FAILURE_LIMIT; attempt += 1) {
      await login(t, user.email, `wrong ${attempt}`).expect(401);
    }
    const limited = await login(t, user.email, 'wrong again').expect(429);
    expectErrorShape(limited.body, 429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const right = await login(t, user.email.toUpperCase(), DEFAULT_PASSWORD).expect(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // other accounts are not affected
    const other = await makeUser(t.dataSource);
    await signIn(t.http, other.email);
  });

  it('throttles an unknown e-mail the same way (a 429 does not reveal that an account exists)', async () => {
    const email = uniqueEmail('ghost');
    for (let attempt = 0; attempt < ACCOUNT_FAILURE_LIMIT; attempt += 1) {
      await login(t, email, `wrong ${attempt}`).expect(401);
    }
    const limited = await login(t, email, 'wrong').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('resets the account count after a successful sign-in', async () => {
    const user = await makeUser(t.dataSource);
    for (let attempt = 0; attempt < ACCOUNT_FAILURE_LIMIT - 1; attempt += 1) {
      await login(t, user.email, `wrong ${attempt}`).expect(401);
    }
    await signIn(t.http, user.email);
    await login(t, user.email, 'wrong once more').expect(401);
    await signIn(t.http, user.email);
  });

  it(`after ${IP_FAILURE_LIMIT} failures across other accounts from one address, a right password from it still signs in`, async () => {
    for (let attempt = 0; attempt < IP_FAILURE_LIMIT + 2; attempt += 1) {
      await login(t, uniqueEmail('spray'), 'password123').expect(401);
    }
    // a colleague behind the same NAT: never signed in from here before, right password
    const user = await makeUser(t.dataSource);
    await signIn(t.http, user.email);
    // the guesser's next wrong password is still just wrong
    await login(t, uniqueEmail('spray'), 'password123').expect(401);
  });
});
