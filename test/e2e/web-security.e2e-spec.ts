/**
 * The web pages' protections, spoken as plain HTTP (supertest with a cookie jar): CSRF tokens on
 * every form and bound to the session, the cookies' attributes, CSP without inline script or
 * style, lock-out and field errors shown as pages, the language switch, sign-out revoking the
 * session.
 */
import request from 'supertest';
import { csrfOf } from '../helpers/assertions';
import type { DataSource } from 'typeorm';
import { makeOrganization, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { bearer, currentStep, makeActiveFactor, totpAt } from '../helpers/two-factor';

function setCookies(response: request.Response): string[] {
  const header = response.headers['set-cookie'] as unknown;
  return Array.isArray(header) ? (header as string[]) : [];
}

async function factorRows(db: DataSource, userId: string): Promise<number> {
  const rows: unknown[] = await db.query('SELECT 1 FROM two_factor_factors WHERE user_id = $1', [
    userId,
  ]);
  return rows.length;
}

describe('web: sessions, CSRF, CSP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A browser-like client signed in through the pages; returns it and its session token. */
  async function signedIn(email: string, password: string) {
    const browser = request.agent(t.httpUrl);
    const form = await browser.get('/login').expect(200);
    const response = await browser
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(form.text), email, password })
      .expect(303);
    expect(response.headers.location).toBe('/');
    const session = setCookies(response).find((cookie) => cookie.startsWith('rd_session='));
    expect(session).toBeDefined();
    return { browser, session: session as string };
  }

  it('refuses a form POST without a valid CSRF token with a 403 page, and changes nothing', async () => {
    const user = await makeUser(t.dataSource);
    // sign-in form without a token: no session is created
    const bare = await request(t.httpUrl as string)
      .post('/login')
      .type('form')
      .send({ email: user.email, password: user.password })
      .expect(403);
    expect(bare.headers['content-type']).toMatch(/^text\/html/);
    expect(bare.text).toContain('The form has expired');
    expect(setCookies(bare).some((cookie) => cookie.startsWith('rd_session='))).toBe(false);

    const { browser } = await signedIn(user.email, user.password);
    await browser.post('/settings/2fa/enrollment').type('form').send({}).expect(403);
    await browser
      .post('/settings/2fa/enrollment')
      .type('form')
      .send({ _csrf: 'forged.token' })
      .expect(403);
    // a valid token of ANOTHER session does not work here either: tokens are bound to a session
    const other = await makeUser(t.dataSource);
    const { browser: otherBrowser } = await signedIn(other.email, other.password);
    const otherToken = csrfOf((await otherBrowser.get('/settings').expect(200)).text);
    await browser
      .post('/settings/2fa/enrollment')
      .type('form')
      .send({ _csrf: otherToken })
      .expect(403);
    expect(await factorRows(t.dataSource, user.id)).toBe(0);

    // with the page's own token the same POST goes through
    const token = csrfOf((await browser.get('/settings').expect(200)).text);
    const page = await browser
      .post('/settings/2fa/enrollment')
      .type('form')
      .send({ _csrf: token })
      .expect(200);
    expect(page.text).toContain('id="qr-code"');
    expect(await factorRows(t.dataSource, user.id)).toBe(1);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/; the challenge only for /login', async () => {
    const user = await makeUser(t.dataSource);
    const { session } = await signedIn(user.email, user.password);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/; Secure/);

    const withFactor = await makeUser(t.dataSource);
    await t.dataSource.query(
      `INSERT INTO two_factor_factors (user_id, status) VALUES ($1, 'reset_required')`,
      [withFactor.id],
    );
    const browser = request.agent(t.httpUrl);
    const form = await browser.get('/login').expect(200);
    const response = await browser
      .post('/login')
      .type('form')
      .send({ _csrf: csrfOf(form.text), email: withFactor.email, password: withFactor.password })
      .expect(303);
    expect(response.headers.location).toBe('/login/enroll');
    const challenge = setCookies(response).find((cookie) => cookie.startsWith('rd_challenge='));
    expect(challenge).toMatch(/; Path=\/login; /);
    expect(challenge).toMatch(/; HttpOnly/);
    expect(challenge).toMatch(/; SameSite=Strict/);
    // the challenge never appears in a URL
    expect(response.headers.location).not.toContain('rdc_');
  });

  it('marks every cookie Secure when PUBLIC_URL is https', async () => {
    const secure = await startTestApp({ PUBLIC_URL: 'https://desk.example.test' });
    try {
      const user = await makeUser(secure.dataSource);
      const browser = request(secure.httpUrl as string);
      const form = await browser.get('/login').expect(200);
      const cookies = setCookies(form);
      expect(cookies.some((cookie) => cookie.startsWith('__Host-rd_csrf='))).toBe(true);
      for (const cookie of cookies) expect(cookie).toMatch(/; Secure/);
      const cookieHeader = cookies.map((cookie) => cookie.split(';')[0]).join('; ');
      const response = await request(secure.httpUrl as string)
        .post('/login')
        .set('Cookie', cookieHeader)
        .type('form')
        .send({ _csrf: csrfOf(form.text), email: user.email, password: user.password })
        .expect(303);
      const session = setCookies(response).find((cookie) => cookie.startsWith('rd_session='));
      expect(session).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });

  it('serves pages under a CSP without inline scripts or styles', async () => {
    const organization = await makeOrganization(t.dataSource);
    const owner = await makeUser(t.dataSource, { organizationId: organization.id, role: 'owner' });
    const agentUser = await makeUser(t.dataSource, { role: 'agent' });
    const { secret } = await makeActiveFactor(t.dataSource, agentUser.id);
    const { browser: ownerBrowser } = await signedIn(owner.email, owner.password);
    const agentBrowser = request.agent(t.httpUrl);
    const loginForm = await agentBrowser.get('/login').expect(200);
    const token = csrfOf(loginForm.text);
    await agentBrowser
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: agentUser.email, password: agentUser.password })
      .expect('Location', '/login/code');
    await agentBrowser
      .post('/login/code')
      .type('form')
      .send({ _csrf: token, code: totpAt(secret, currentStep()) })
      .expect(303);
    const pages = [
      await request(t.httpUrl as string).get('/login'),
      await ownerBrowser.get('/settings'),
      await ownerBrowser.get('/users'),
      await ownerBrowser.get(`/users/${owner.id}`),
      await agentBrowser.get('/agent/requests'),
      await agentBrowser.get('/agent/messages'),
      await request(t.httpUrl as string).get('/recovery/cancel/no-such-token-0123456789'),
    ];
    for (const page of pages) {
      const csp = page.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=/i);
      expect(page.text).toContain('<link rel="stylesheet" href="/static/app.css?v=');
    }
    const css = await request(t.httpUrl as string)
      .get('/static/app.css')
      .expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('shows field errors next to the field and the lock-out plainly', async () => {
    const user = await makeUser(t.dataSource);
    const browser = request.agent(t.httpUrl);
    const token = csrfOf((await browser.get('/login').expect(200)).text);
    const empty = await browser
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: '', password: '' })
      .expect(400);
    expect(empty.text).toMatch(
      /<p class="field-error" id="f-email-error">Enter your e-mail address.<\/p>\s*<input id="f-email"[^>]*aria-describedby="f-email-error"[^>]*aria-invalid="true"/,
    );
    expect(empty.text).toContain('id="f-password-error"');

    for (let attempt = 0; attempt < 10; attempt += 1) {
      const wrong = await browser
        .post('/login')
        .type('form')
        .send({ _csrf: token, email: user.email, password: 'wrong password' })
        .expect(401);
      expect(wrong.text).toContain('Wrong e-mail address or password.');
      // the e-mail is filled in again, the password never
      expect(wrong.text).toContain(`value="${user.email}"`);
      expect(wrong.text).not.toContain('wrong password');
    }
    const locked = await browser
      .post('/login')
      .type('form')
      .send({ _csrf: token, email: user.email, password: user.password })
      .expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.text).toMatch(/Too many attempts. Wait \d+ minute\(s\)/);
  });

  it('speaks Swedish to a Swedish browser, switches with ?lang=, and sign-out revokes the session', async () => {
    const swedish = await request(t.httpUrl as string)
      .get('/login')
      .set('Accept-Language', 'sv-SE,sv;q=0.9,en;q=0.8')
      .expect(200);
    expect(swedish.text).toContain('<html lang="sv">');
    expect(swedish.text).toContain('Logga in');

    const browser = request.agent(t.httpUrl);
    const switched = await browser.get('/login?lang=en').set('Accept-Language', 'sv').expect(303);
    expect(switched.headers.location).toBe('/login');
    const english = await browser.get('/login').set('Accept-Language', 'sv').expect(200);
    expect(english.text).toContain('<html lang="en">');

    const user = await makeUser(t.dataSource);
    const { browser: signedInBrowser, session } = await signedIn(user.email, user.password);
    const token = /^rd_session=([^;]+)/.exec(session)?.[1] as string;
    await request(t.httpUrl as string)
      .get('/api/me')
      .set(...bearer(token))
      .expect(200);
    const csrf = csrfOf((await signedInBrowser.get('/settings').expect(200)).text);
    const out = await signedInBrowser
      .post('/logout')
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    expect(out.headers.location).toBe('/login?signedout=1');
    await request(t.httpUrl as string)
      .get('/api/me')
      .set(...bearer(token))
      .expect(401);
    const after = await signedInBrowser.get('/settings').expect(303);
    expect(after.headers.location).toBe('/login');
  });
});
