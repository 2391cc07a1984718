/**
 * Edges a hostile client, a split deployment or a careless operator reach: deeply nested JSON,
 * silent processes of one role, webhook recipients outside SUPPORT_ADDRESSES, one address's
 * failed sign-ins against everyone else's, and the reply to a user who needs no recovery.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { IP_FAILURE_LIMIT } from '../../src/sign-in/login-rate-limiter';
import { JSON_BODY_LIMIT } from '../../src/app';
import { JSON_MAX_DEPTH } from '../../src/common/json-depth';
import { SmtpIngressServer } from '../../src/recovery/inbound-email/smtp-ingress.server';
import { csrfOf, expectErrorShape } from '../helpers/assertions';
import { DEFAULT_PASSWORD, makeUser, signIn, uniqueEmail } from '../helpers/factories';
import { buildMessage, sendSmtp, uniqueMessageId } from '../helpers/inbound-mail';
import {
  Clinic,
  makeClinic,
  makeMember,
  mailsTo,
  RecoveryWorld,
  requestRow,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';
import { createScratchDatabase, ScratchDatabase } from '../helpers/scratch-database';
import { spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import {
  startTestApp,
  TEST_INBOUND_TOKEN,
  TEST_PROVISIONING_TOKEN,
  TestApp,
  testEnv,
} from '../helpers/test-app';

const arrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const objects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const mixed = (levels: number) => `${'{"a":['.repeat(levels / 2)}"x"${']}'.repeat(levels / 2)}`;

describe('deeply nested JSON is refused before validation, on every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const routes: Array<[string, string, Record<string, string>]> = [
    ['login', '/api/auth/login', {}],
    ['TOTP sign-in step', '/api/auth/totp', {}],
    ['enrollment', '/api/auth/enroll/confirm', {}],
    ['own enrollment', '/api/me/2fa/enrollment/confirm', {}],
    [
      'provisioning',
      '/api/provisioning/organizations',
      { Authorization: `Bearer ${TEST_PROVISIONING_TOKEN}` },
    ],
    ['webhook', '/api/inbound/messages', { Authorization: `Bearer ${TEST_INBOUND_TOKEN}` }],
    ['an unknown route', '/api/no-such-thing', {}],
  ];
  const bodies: Array<[string, string]> = [
    ['arrays in a field', `{"email":${arrays(2000)},"password":"x"}`],
    ['objects in a field', `{"email":${objects(2000)}}`],
    ['arrays and objects mixed', `{"users":[${mixed(2000)}]}`],
    ['a bare array', arrays(100_000)],
    ['just past the limit', `{"email":${arrays(JSON_MAX_DEPTH)}}`],
  ];

  it.each(routes)('%s: 400 json_too_deep for each shape, never 500', async (_name, path, auth) => {
    for (const [shape, body] of bodies) {
      const response = await t.http
        .post(path)
        .set(auth)
        .set('Content-Type', 'application/json')
        .send(body);
      expect({ shape, status: response.status }).toEqual({ shape, status: 400 });
      expectErrorShape(response.body, 400);
      expect(response.body.code).toBe('json_too_deep');
      expect(String(response.body.message)).toContain(String(JSON_MAX_DEPTH));
    }
  });

  it('lets nesting up to the limit through to ordinary validation', async () => {
    const response = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"email":${arrays(JSON_MAX_DEPTH - 1)},"password":"x"}`)
      .expect(400);
    expect(response.body.code).not.toBe('json_too_deep');
  });

  it('answers a huge flat array (just under the body limit) with a validation 400', async () => {
    const limit = JSON_BODY_LIMIT;
    const items = Math.floor((limit - 100) / 2);
    const body = `{"email":[${Array(items).fill('1').join(',')}],"password":"x"}`;
    expect(body.length).toBeLessThan(limit);
    const response = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(body);
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 400);
  });

  it('parses forms flat: bracket nesting in a form field is just a field name', async () => {
    const field = `email${'[a]'.repeat(2000)}`;
    const response = await t.http
      .post('/login')
      .type('form')
      .send(`${encodeURIComponent(field)}=x&password=y`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('still serves an ordinary request afterwards', async () => {
    await t.http.get('/health').expect(200);
  });
});

describe('every role logs', () => {
  let app: SpawnedApp | undefined;
  // a database of their own: a development start seeds the demo into an empty one
  let database: ScratchDatabase;
  beforeAll(async () => {
    database = await createScratchDatabase('roles');
  });
  afterAll(async () => {
    await database.drop();
  });
  afterEach(async () => {
    if (app !== undefined && app.child.exitCode === null && app.child.signalCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    app = undefined;
  });

  it.each([
    ['worker', /consuming queue mail/],
    ['smtp', /SMTP ingress listening on 127\.0\.0\.1:\d+/],
    ['api', /web and API: http:\/\//],
  ])(
    'ROLES=%s prints its start-up line, what it serves, and the SENDER_AUTH=none warning',
    async (role, serves) => {
      app = spawnApp({
        ...testEnv(),
        DATABASE_URL: database.url,
        ROLES: role,
        SENDER_AUTH: 'none',
        LOG_LEVEL: 'info',
      });
      await waitForOutput(app, new RegExp(`Recovery Desk running \\(roles: ${role}\\)`), 90_000);
      await waitForOutput(app, serves);
      await waitForOutput(app, /SENDER_AUTH=none: inbound senders are NOT authenticated/);
      // the warning is a structured log line (pino JSON), like every other log line
      const warning = app
        .output()
        .split('\n')
        .find((line) => line.includes('SENDER_AUTH=none'));
      expect(JSON.parse(warning as string)).toMatchObject({ level: 40 });
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
    },
  );
});

describe('the webhook takes mail for SUPPORT_ADDRESSES only, like SMTP', () => {
  let t: TestApp;
  let smtpPort: number;
  beforeAll(async () => {
    t = await startTestApp({ SUPPORT_ADDRESSES: 'support@recovery-desk.test, help@desk.test' });
    smtpPort = t.app.get(SmtpIngressServer).port as number;
  });
  afterAll(async () => {
    await t.close();
  });

  async function storedWith(messageId: string): Promise<number> {
    const [row] = await t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM inbound_messages WHERE position($1::bytea IN raw) > 0`,
      [Buffer.from(messageId)],
    );
    return row.n;
  }

  function post(to: string | string[]) {
    const messageId = uniqueMessageId('bank.test');
    const raw = buildMessage({ from: 'asa@bank.test', messageId });
    const call = t.http
      .post('/api/inbound/messages')
      .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
      .set('Content-Type', 'message/rfc822')
      // superagent types only Cookie as a list; an array sends one header line per item
      .set('X-Envelope-To', to as string)
      .send(raw);
    return { call, messageId };
  }

  it.each([
    ['an outside address', 'boss@clinic.test'],
    ['a support address beside an outside one', 'support@recovery-desk.test, boss@clinic.test'],
    ['a look-alike domain', 'support@recovery-desk.test.evil.test'],
    ['a look-alike mailbox', '<supports@recovery-desk.test>'],
    ['a second header line', ['help@desk.test', 'boss@clinic.test']],
  ])('refuses %s with 400 recipient_not_accepted and stores nothing', async (_name, to) => {
    const { call, messageId } = post(to);
    const response = await call.expect(400);
    expectErrorShape(response.body, 400);
    expect(response.body.code).toBe('recipient_not_accepted');
    expect(await storedWith(messageId)).toBe(0);
  });

  it.each([
    ['support@recovery-desk.test'],
    ['SUPPORT@Recovery-Desk.TEST'],
    ['<Help@DESK.test>, support@recovery-desk.test'],
  ])('accepts %s (compared case-insensitively)', async (to) => {
    const { call, messageId } = post(to);
    const response = await call.expect(202);
    expect(response.body.id).toEqual(expect.any(String));
    expect(await storedWith(messageId)).toBe(1);
  });

  it('SMTP answers the same addresses the same way (550 outside, 250 inside)', async () => {
    const raw = buildMessage({ from: 'asa@bank.test' });
    await expect(
      sendSmtp(smtpPort, raw, { from: 'asa@bank.test', to: ['boss@clinic.test'] }),
    ).rejects.toMatchObject({ responseCode: 550 });
    await expect(
      sendSmtp(smtpPort, raw, { from: 'asa@bank.test', to: ['SUPPORT@Recovery-Desk.TEST'] }),
    ).resolves.toMatchObject({ id: expect.any(String) });
  });
});

// Each test gets its own app (a fresh Redis prefix): every request here comes from 127.0.0.1.
describe("one address's failed sign-ins never refuse another account's right password", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.close();
  });

  async function sprayFailures(count: number): Promise<void> {
    for (let attempt = 0; attempt < count; attempt += 1) {
      await t.http
        .post('/api/auth/login')
        .send({ email: uniqueEmail('spray'), password: 'password123' })
        .expect(401);
    }
  }

  async function webSignIn(browser: TestAgent, email: string, password: string) {
    const token = csrfOf((await browser.get('/login').expect(200)).text);
    return browser.post('/login').type('form').send({ _csrf: token, email, password });
  }

  it('the web sign-in form: a colleague behind the same address still gets in', async () => {
    await sprayFailures(IP_FAILURE_LIMIT + 2);
    const colleague = await makeUser(t.dataSource);
    const response = await webSignIn(request.agent(t.httpUrl), colleague.email, DEFAULT_PASSWORD);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');
  });

  it('while one address floods wrong passwords, a known colleague signs in; the flood gets only 401 or 429', async () => {
    const colleague = await makeUser(t.dataSource);
    await signIn(t.http, colleague.email);
    await sprayFailures(IP_FAILURE_LIMIT);
    const flood = Array.from({ length: 8 }, () =>
      t.http.post('/api/auth/login').send({ email: uniqueEmail('flood'), password: 'guess1234' }),
    );
    const token = await signIn(t.http, colleague.email);
    expect(token).toEqual(expect.any(String));
    const answers = await Promise.all(flood);
    for (const answer of answers) {
      expect([401, 429]).toContain(answer.status);
      if (answer.status === 429) {
        expect(answer.body.code).toBe('sign_in_busy');
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
  });
});

describe('a user without active 2FA who writes in is told to sign in with their password', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;
  beforeAll(async () => {
    world = await startRecoveryWorld();
    clinic = await makeClinic(world);
  });
  afterAll(async () => {
    await world.close();
  });

  it.each([
    [
      'en',
      /you can sign in with your password/,
      /Sign in with your e-mail address and your password/,
    ],
    ['sv', /du kan logga in med ditt lösenord/, /Logga in med din e-postadress och ditt lösenord/],
  ] as const)(
    'in %s, with no billing question and nothing about checks',
    async (locale, subject, body) => {
      const member = await makeMember(world, clinic, 'practitioner', { twoFactor: false, locale });
      const sent = await sendRecoveryMail(
        world,
        clinic,
        member.email,
        `I lost my phone. Card ${clinic.last4}, ${clinic.holderName}`,
      );
      expect((await requestRow(world.t.dataSource, sent.requestId as string)).reason).toBe(
        'no_active_2fa',
      );
      const [reply] = await mailsTo(world.sink, member.email);
      expect(reply.parsed.subject).toMatch(subject);
      const text = reply.parsed.text ?? '';
      expect(text).toMatch(body);
      expect(text).toContain('/login');
      // not the "more information" mail: no hunt for card digits, holder names or student IDs
      expect(text).not.toMatch(/last 4 digits|sista 4 siffrorna|student/i);
      expect(text).not.toContain(clinic.last4);
      expect(text).not.toContain('Öberg');
      expect(reply.parsed.headers.get('auto-submitted')).toBe('auto-replied');
      expect(reply.parsed.inReplyTo).toBe(sent.messageId);
    },
  );

  it('a user with active 2FA whose evidence fails still gets the "more information" mail', async () => {
    const member = await makeMember(world, clinic);
    await sendRecoveryMail(world, clinic, member.email, 'I lost my phone, please help.');
    const [reply] = await mailsTo(world.sink, member.email);
    expect(reply.parsed.subject).toMatch(/We need more information/);
  });
});
