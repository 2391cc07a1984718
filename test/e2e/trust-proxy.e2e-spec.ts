import { DEFAULT_PASSWORD, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * Behind a reverse proxy the per-IP sign-in limits and the session records need the client's
 * address, and nobody else may choose it: X-Forwarded-For counts only from TRUST_PROXY's proxies.
 */
describe('TRUST_PROXY: whose X-Forwarded-For names the client', () => {
  async function sessionIp(t: TestApp, forwardedFor: string): Promise<string> {
    const user = await makeUser(t.dataSource);
    await t.http
      .post('/api/auth/login')
      .set('X-Forwarded-For', forwardedFor)
      .send({ email: user.email, password: DEFAULT_PASSWORD })
      .expect(200);
    const [session] = await t.dataSource.query<{ ip: string }[]>(
      'SELECT ip FROM sessions WHERE user_id = $1',
      [user.id],
    );
    return session.ip;
  }

  it('ignores X-Forwarded-For by default: a client cannot pick its own address', async () => {
    const t = await startTestApp();
    try {
      expect(await sessionIp(t, '203.0.113.9')).toMatch(/127\.0\.0\.1|::1/);
    } finally {
      await t.close();
    }
  });

  it('takes the client address from a trusted proxy (loopback here)', async () => {
    const t = await startTestApp({ TRUST_PROXY: 'loopback' });
    try {
      expect(await sessionIp(t, '203.0.113.9')).toBe('203.0.113.9');
      // a forged hop the client put in front of its own address is not believed
      expect(await sessionIp(t, '198.51.100.1, 203.0.113.10')).toBe('203.0.113.10');
    } finally {
      await t.close();
    }
  });
});
