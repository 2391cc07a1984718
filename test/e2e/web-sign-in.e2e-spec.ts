/**
 * The sign-in pages' answers as plain HTTP (supertest with a cookie jar): the code step's
 * lock-out shown as a page, a missing or used challenge starting over, the same message for an
 * unknown e-mail and a wrong password, enrollment forced by the organization.
 */
import request from 'supertest';
import { csrfOf } from '../helpers/assertions';
import type TestAgent from 'supertest/lib/agent';
import { makeOrganization, makeUser, uniqueEmail } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { currentStep, makeActiveFactor, totpAt } from '../helpers/two-factor';

describe('web: sign-in pages', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function passwordStep(browser: TestAgent, email: string, password: string) {
    const token = csrfOf((await browser.get('/login').expect(200)).text);
    const response = await browser
      .post('/login')
      .type('form')
      .send({ _csrf: token, email, password });
    return { token, response };
  }

  it('shows the code lock-out plainly at the 10th wrong code, with Retry-After', async () => {
    const user = await makeUser(t.dataSource);
    const { secret } = await makeActiveFactor(t.dataSource, user.id);
    const browser = request.agent(t.httpUrl);
    const { token, response } = await passwordStep(browser, user.email, user.password);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/login/code');

    const step = currentStep();
    const window = [-2, -1, 0, 1, 2].map((offset) => totpAt(secret, step + offset));
    const wrong = ['111111', '222222', '333333'].find((code) => !window.includes(code)) as string;
    for (let attempt = 1; attempt <= 9; attempt += 1) {
      const page = await browser
        .post('/login/code')
        .type('form')
        .send({ _csrf: token, code: wrong })
        .expect(401);
      expect(page.text).toContain('That code is not valid.');
    }
    // the tenth wrong code locks the factor; then even the right code is refused while locked
    const tenth = await browser
      .post('/login/code')
      .type('form')
      .send({ _csrf: token, code: wrong })
      .expect(429);
    expect(tenth.text).toMatch(/Too many wrong codes: two-factor sign-in is locked/);
    const locked = await browser
      .post('/login/code')
      .type('form')
      .send({ _csrf: token, code: totpAt(secret, step) })
      .expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.text).toMatch(/Too many wrong codes: two-factor sign-in is locked/);
    expect(locked.text).toContain('use a recovery code');
  });

  it('starts over when the challenge is missing or already used', async () => {
    const browser = request.agent(t.httpUrl);
    const missing = await browser.get('/login/code').expect(303);
    expect(missing.headers.location).toBe('/login?expired=1');
    const page = await browser.get('/login?expired=1').expect(200);
    expect(page.text).toContain('That sign-in took too long or was already used.');

    // a challenge cookie the server never issued is refused like an expired one
    const form = await request(t.httpUrl as string)
      .get('/login')
      .expect(200);
    const cookies = (form.headers['set-cookie'] as unknown as string[]).map(
      (cookie) => cookie.split(';')[0],
    );
    const forged = await request(t.httpUrl as string)
      .post('/login/code')
      .set('Cookie', [...cookies, 'rd_challenge=rdc_forged-challenge-value'].join('; '))
      .type('form')
      .send({ _csrf: csrfOf(form.text), code: '123456' })
      .expect(303);
    expect(forged.headers.location).toBe('/login?expired=1');
  });

  it('answers an unknown e-mail exactly like a wrong password', async () => {
    const user = await makeUser(t.dataSource);
    const first = request.agent(t.httpUrl);
    const wrongPassword = (await passwordStep(first, user.email, 'not the password')).response;
    const second = request.agent(t.httpUrl);
    const unknown = (await passwordStep(second, uniqueEmail('nobody'), 'whatever')).response;
    expect(wrongPassword.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (html: string) =>
      /<div class="alert alert--error"[^>]*>(.*?)<\/div>/s.exec(html)?.[1];
    expect(message(wrongPassword.text)).toBe(message(unknown.text));
    expect(message(unknown.text)).toContain('Wrong e-mail address or password.');
  });

  it('sends a member of an organization that requires 2FA to set it up before anything else', async () => {
    const organization = await makeOrganization(t.dataSource, { require2fa: true });
    const user = await makeUser(t.dataSource, { organizationId: organization.id, locale: 'sv' });
    const browser = request.agent(t.httpUrl);
    const { response } = await passwordStep(browser, user.email, user.password);
    expect(response.headers.location).toBe('/login/enroll');
    // no session yet: the pages behind sign-in still send the browser to /login
    expect((await browser.get('/settings').expect(303)).headers.location).toBe('/login');
    // before the sign-in completes, the browser's language decides
    const intro = await browser.get('/login/enroll').set('Accept-Language', 'sv').expect(200);
    expect(intro.text).toContain('<html lang="sv">');
    expect(intro.text).toContain('Aktivera tvåfaktorsautentisering');
    const scan = await browser
      .post('/login/enroll')
      .type('form')
      .send({ _csrf: csrfOf(intro.text) })
      .expect(200);
    expect(scan.text).toMatch(/<img id="qr-code" src="data:image\/png;base64,/);
    expect(scan.headers['cache-control']).toBe('no-store');
  });
});
