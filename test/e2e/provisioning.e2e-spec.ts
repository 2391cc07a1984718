import type { DataSource } from 'typeorm';
import { BillingRecord } from '../../src/billing/billing-record.entity';
import { expectErrorShape, messageText, hasStandaloneDigits } from '../helpers/assertions';
import { makeOrganization, makeUser, signIn, uniqueEmail } from '../helpers/factories';
import { enrollAtSignIn, makeSignedInAgent } from '../helpers/two-factor';
import { startTestApp, TEST_PROVISIONING_TOKEN, TestApp } from '../helpers/test-app';

const AUTH = `Bearer ${TEST_PROVISIONING_TOKEN}`;
const PASSWORD = 'a-long-enough-password';

function organizationBody(overrides: Record<string, unknown> = {}) {
  return {
    name: `Clinic ${uniqueEmail('org')}`,
    plan: 'paid',
    require2fa: true,
    billing: [
      { kind: 'card', last4: '4242', holderName: 'Åsa Öberg' },
      { kind: 'bank_account', last4: '0017', holderName: 'Öberg Psykoterapi AB' },
    ],
    users: [
      {
        email: uniqueEmail('owner'),
        name: 'Åsa Öberg',
        role: 'owner',
        password: PASSWORD,
        locale: 'sv',
      },
      { email: uniqueEmail('admin'), name: 'Anders', role: 'admin', password: PASSWORD },
      { email: uniqueEmail('prac'), name: 'Petra', role: 'practitioner', password: PASSWORD },
    ],
    ...overrides,
  };
}

async function organizationsNamed(db: DataSource, name: string): Promise<number> {
  const rows: { count: string }[] = await db.query(
    'SELECT count(*) FROM organizations WHERE name = $1',
    [name],
  );
  return Number(rows[0].count);
}

async function usersWithEmails(db: DataSource, emails: string[]): Promise<number> {
  const rows: { count: string }[] = await db.query(
    'SELECT count(*) FROM users WHERE email_normalized = ANY($1)',
    [emails.map((email) => email.toLowerCase())],
  );
  return Number(rows[0].count);
}

function billingOf(db: DataSource, organizationId: string) {
  return db.getRepository(BillingRecord).find({
    where: { organizationId },
    order: { kind: 'ASC', last4: 'ASC' },
  });
}

describe('provisioning API', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('token', () => {
    it.each([
      ['no Authorization header', undefined],
      ['a wrong token', 'Bearer not-the-provisioning-token'],
      ['the token with a different case', `Bearer ${TEST_PROVISIONING_TOKEN.toUpperCase()}`],
      ['a session token scheme mix-up', `Basic ${TEST_PROVISIONING_TOKEN}`],
    ])('refuses %s with 401 and creates nothing', async (_label, header) => {
      const body = organizationBody();
      const request = t.http.post('/api/provisioning/organizations');
      if (header !== undefined) request.set('Authorization', header);
      const response = await request.send(body).expect(401);
      expectErrorShape(response.body, 401);
      expect(await organizationsNamed(t.dataSource, body.name)).toBe(0);
    });

    it('refuses a signed-in agent session: only the provisioning token opens it', async () => {
      const { token } = await makeSignedInAgent(t.http, t.dataSource);
      await t.http
        .post('/api/provisioning/agents')
        .set('Authorization', `Bearer ${token}`)
        .send({ email: uniqueEmail('agent'), name: 'X', password: PASSWORD })
        .expect(401);
    });
  });

  describe('POST /api/provisioning/organizations', () => {
    it('creates the organization, its billing and users in one go (201 { id, users })', async () => {
      const body = organizationBody();
      const response = await t.http
        .post('/api/provisioning/organizations')
        .set('Authorization', AUTH)
        .send(body)
        .expect(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        users: body.users.map((user) => ({ id: expect.any(String), email: user.email })),
      });
      // neither the passwords nor the billing values come back
      const text = JSON.stringify(response.body);
      expect(text).not.toContain(PASSWORD);
      expect(hasStandaloneDigits(text, '4242')).toBe(false);
      expect(text).not.toContain('Öberg');

      const id = response.body.id as string;
      const [organization] = await t.dataSource.query(
        'SELECT name, plan, require_2fa FROM organizations WHERE id = $1',
        [id],
      );
      expect(organization).toEqual({ name: body.name, plan: 'paid', require_2fa: true });
      const billing = await billingOf(t.dataSource, id);
      expect(billing.map((b) => [b.kind, b.last4, b.holderName, b.studentId])).toEqual([
        ['bank_account', '0017', 'Öberg Psykoterapi AB', null],
        ['card', '4242', 'Åsa Öberg', null],
      ]);
      const users = await t.dataSource.query(
        'SELECT email, role, locale, organization_id, password_hash FROM users WHERE organization_id = $1 ORDER BY role',
        [id],
      );
      expect(users.map((u: { role: string; locale: string }) => [u.role, u.locale])).toEqual([
        ['admin', 'en'],
        ['owner', 'sv'],
        ['practitioner', 'en'],
      ]);
      for (const user of users) expect(user.password_hash).toMatch(/^scrypt\$/);

      // the password given works; the organization requires 2FA, so the next step is enrolling
      const login = await t.http
        .post('/api/auth/login')
        .send({ email: body.users[0].email, password: PASSWORD })
        .expect(200);
      expect(login.body).toEqual({ next: 'enroll', challenge: expect.any(String) });
    });

    it('records audit events with counts and kinds, never the values', async () => {
      const body = organizationBody();
      const response = await t.http
        .post('/api/provisioning/organizations')
        .set('Authorization', AUTH)
        .send(body)
        .expect(201);
      const events: { action: string; actor_type: string; data: object }[] =
        await t.dataSource.query(
          'SELECT action, actor_type, data FROM audit_events WHERE organization_id = $1 ORDER BY id',
          [response.body.id],
        );
      expect(events.map((e) => e.action)).toEqual([
        'organization.provisioned',
        'user.provisioned',
        'user.provisioned',
        'user.provisioned',
      ]);
      expect(events.every((e) => e.actor_type === 'provisioning')).toBe(true);
      expect(events[0].data).toMatchObject({ billing: { card: 1, bank_account: 1 }, users: 3 });
      const text = JSON.stringify(events);
      expect(hasStandaloneDigits(text, '4242')).toBe(false);
      expect(text).not.toContain('Åsa Öberg');
      expect(text).not.toContain(PASSWORD);
    });

    it('normalizes e-mails (case, IDN) and defaults locale to en and require2fa to false', async () => {
      const local = uniqueEmail('MiXeD').split('@')[0];
      const body = organizationBody({
        require2fa: undefined,
        plan: 'academic',
        billing: [{ kind: 'student', studentId: 'S-2024-77' }],
        users: [
          { email: `${local}@Öberg.Example`, name: 'Sam', role: 'owner', password: PASSWORD },
        ],
      });
      delete (body as { require2fa?: unknown }).require2fa;
      const response = await t.http
        .post('/api/provisioning/organizations')
        .set('Authorization', AUTH)
        .send(body)
        .expect(201);
      const [user] = await t.dataSource.query(
        'SELECT email_normalized, locale FROM users WHERE id = $1',
        [response.body.users[0].id],
      );
      expect(user).toEqual({
        email_normalized: `${local.toLowerCase()}@xn--berg-4qa.example`,
        locale: 'en',
      });
      await signIn(t.http, `${local.toUpperCase()}@öberg.example`, PASSWORD);
      const [organization] = await t.dataSource.query(
        'SELECT require_2fa FROM organizations WHERE id = $1',
        [response.body.id],
      );
      expect(organization.require_2fa).toBe(false);
    });

    it.each<[string, (body: ReturnType<typeof organizationBody>) => unknown, RegExp]>([
      ['no name', (b) => ({ ...b, name: undefined }), /name/],
      ['a blank name', (b) => ({ ...b, name: '   ' }), /name/],
      ['an unknown plan', (b) => ({ ...b, plan: 'enterprise' }), /plan/],
      ['require2fa as a string', (b) => ({ ...b, require2fa: 'yes' }), /require2fa/],
      ['billing not a list', (b) => ({ ...b, billing: { kind: 'card' } }), /billing/],
      [
        'a card without last4',
        (b) => ({ ...b, billing: [{ kind: 'card', holderName: 'A' }] }),
        /billing\.0\.last4/,
      ],
      [
        'last4 that is not 4 digits',
        (b) => ({ ...b, billing: [{ kind: 'card', last4: '42424', holderName: 'A' }] }),
        /last4/,
      ],
      [
        'last4 as a number',
        (b) => ({ ...b, billing: [{ kind: 'card', last4: 4242, holderName: 'A' }] }),
        /last4/,
      ],
      [
        'a bank account without holder',
        (b) => ({ ...b, billing: [{ kind: 'bank_account', last4: '1234' }] }),
        /holderName/,
      ],
      [
        'a student record without student ID',
        (b) => ({ ...b, billing: [{ kind: 'student' }] }),
        /studentId/,
      ],
      [
        'a student record with card digits',
        (b) => ({ ...b, billing: [{ kind: 'student', studentId: 'S1', last4: '1234' }] }),
        /last4 is only allowed/,
      ],
      [
        'a card with a student ID',
        (b) => ({
          ...b,
          billing: [{ kind: 'card', last4: '1234', holderName: 'A', studentId: 'S1' }],
        }),
        /studentId is only allowed/,
      ],
      ['an unknown billing kind', (b) => ({ ...b, billing: [{ kind: 'paypal' }] }), /kind/],
      [
        'an unknown field in a billing item',
        (b) => ({ ...b, billing: [{ kind: 'card', last4: '1234', holderName: 'A', cvc: '123' }] }),
        /cvc/,
      ],
      [
        'a malformed e-mail',
        (b) => ({ ...b, users: [{ ...b.users[0], email: 'not-an-address' }] }),
        /email/,
      ],
      [
        'a display-name e-mail',
        (b) => ({ ...b, users: [{ ...b.users[0], email: 'Åsa <asa@example.test>' }] }),
        /email/,
      ],
      [
        'a short password',
        (b) => ({ ...b, users: [{ ...b.users[0], password: 'short' }] }),
        /password/,
      ],
      ['the agent role', (b) => ({ ...b, users: [{ ...b.users[0], role: 'agent' }] }), /role/],
      ['an unknown locale', (b) => ({ ...b, users: [{ ...b.users[0], locale: 'de' }] }), /locale/],
      ['an unknown top-level field', (b) => ({ ...b, owner: 'x' }), /owner/],
      ['users missing', (b) => ({ ...b, users: undefined }), /users/],
    ])(
      'refuses %s with 400 naming the field, and creates nothing',
      async (_label, change, field) => {
        const base = organizationBody();
        const response = await t.http
          .post('/api/provisioning/organizations')
          .set('Authorization', AUTH)
          .send(change(base) as object)
          .expect(400);
        expectErrorShape(response.body, 400);
        expect(messageText(response.body)).toMatch(field);
        // never echoes the password
        expect(JSON.stringify(response.body)).not.toContain(PASSWORD);
        expect(await organizationsNamed(t.dataSource, base.name)).toBe(0);
        expect(
          await usersWithEmails(
            t.dataSource,
            base.users.map((u) => u.email),
          ),
        ).toBe(0);
      },
    );

    it('refuses an e-mail already in use with 409 email_taken, whatever its case, creating nothing', async () => {
      const existing = await makeUser(t.dataSource);
      const body = organizationBody();
      body.users[2].email = existing.email.toUpperCase();
      const response = await t.http
        .post('/api/provisioning/organizations')
        .set('Authorization', AUTH)
        .send(body)
        .expect(409);
      expectErrorShape(response.body, 409);
      expect(response.body.code).toBe('email_taken');
      expect(await organizationsNamed(t.dataSource, body.name)).toBe(0);
      expect(await usersWithEmails(t.dataSource, [body.users[0].email, body.users[1].email])).toBe(
        0,
      );
    });

    it('refuses the same e-mail twice in one request with 409 email_taken', async () => {
      const body = organizationBody();
      body.users[1].email = body.users[0].email.toUpperCase();
      const response = await t.http
        .post('/api/provisioning/organizations')
        .set('Authorization', AUTH)
        .send(body)
        .expect(409);
      expect(response.body.code).toBe('email_taken');
      expect(await organizationsNamed(t.dataSource, body.name)).toBe(0);
    });

    it('refuses two owners with 409 owner_exists', async () => {
      const body = organizationBody();
      body.users[1].role = 'owner';
      const response = await t.http
        .post('/api/provisioning/organizations')
        .set('Authorization', AUTH)
        .send(body)
        .expect(409);
      expect(response.body.code).toBe('owner_exists');
      expect(await organizationsNamed(t.dataSource, body.name)).toBe(0);
    });

    it('lets exactly one of two concurrent requests claim an e-mail', async () => {
      const email = uniqueEmail('race');
      const bodies = [0, 1].map(() => {
        const body = organizationBody();
        body.users = [{ ...body.users[0], email }];
        return body;
      });
      const responses = await Promise.all(
        bodies.map((body) =>
          t.http.post('/api/provisioning/organizations').set('Authorization', AUTH).send(body),
        ),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await usersWithEmails(t.dataSource, [email])).toBe(1);
      const names = await Promise.all(bodies.map((b) => organizationsNamed(t.dataSource, b.name)));
      expect(names.sort()).toEqual([0, 1]);
    });
  });

  describe('PUT /api/provisioning/organizations/:id/billing', () => {
    it('replaces the billing records (200) and audits the change', async () => {
      const organization = await makeOrganization(t.dataSource);
      const first = await t.http
        .put(`/api/provisioning/organizations/${organization.id}/billing`)
        .set('Authorization', AUTH)
        .send([{ kind: 'card', last4: '1111', holderName: 'Old Holder' }])
        .expect(200);
      expect(first.body).toEqual({ organizationId: organization.id, records: 1 });
      const second = await t.http
        .put(`/api/provisioning/organizations/${organization.id}/billing`)
        .set('Authorization', AUTH)
        .send([
          { kind: 'bank_account', last4: '2222', holderName: 'New Holder AB' },
          { kind: 'card', last4: '3333', holderName: 'New Holder' },
        ])
        .expect(200);
      expect(second.body).toEqual({ organizationId: organization.id, records: 2 });
      const billing = await billingOf(t.dataSource, organization.id);
      expect(billing.map((b) => b.last4)).toEqual(['2222', '3333']);
      const events = await t.dataSource.query(
        `SELECT data FROM audit_events WHERE organization_id = $1 AND action = 'billing.replaced' ORDER BY id`,
        [organization.id],
      );
      expect(events.map((e: { data: object }) => e.data)).toEqual([
        { records: 1, kinds: { card: 1 } },
        { records: 2, kinds: { bank_account: 1, card: 1 } },
      ]);
    });

    it('accepts an empty list (the organization no longer has billing records)', async () => {
      const organization = await makeOrganization(t.dataSource);
      await t.http
        .put(`/api/provisioning/organizations/${organization.id}/billing`)
        .set('Authorization', AUTH)
        .send([{ kind: 'card', last4: '1111', holderName: 'A' }])
        .expect(200);
      await t.http
        .put(`/api/provisioning/organizations/${organization.id}/billing`)
        .set('Authorization', AUTH)
        .send([])
        .expect(200);
      expect(await billingOf(t.dataSource, organization.id)).toEqual([]);
    });

    it.each([
      ['an object instead of a list', { kind: 'card', last4: '1111', holderName: 'A' }],
      [
        'an invalid item',
        [
          { kind: 'card', last4: '1111', holderName: 'A' },
          { kind: 'card', last4: 'x' },
        ],
      ],
      [
        'an unknown field',
        [{ kind: 'card', last4: '1111', holderName: 'A', pan: '4111111111111111' }],
      ],
      ['an item given as a JSON-encoded string', ['{"kind":"student","studentId":"S-1"}']],
      [
        'more than 100 items',
        Array.from({ length: 101 }, () => ({ kind: 'student', studentId: 'S' })),
      ],
    ])('refuses %s with 400 and keeps the old records', async (_label, body) => {
      const organization = await makeOrganization(t.dataSource);
      await t.http
        .put(`/api/provisioning/organizations/${organization.id}/billing`)
        .set('Authorization', AUTH)
        .send([{ kind: 'card', last4: '9876', holderName: 'Kept' }])
        .expect(200);
      const response = await t.http
        .put(`/api/provisioning/organizations/${organization.id}/billing`)
        .set('Authorization', AUTH)
        .send(body)
        .expect(400);
      expectErrorShape(response.body, 400);
      if (Array.isArray(body) && body.length === 2) {
        // problems name the item they belong to
        expect(messageText(response.body)).toMatch(/\[1\] last4/);
      }
      expect(JSON.stringify(response.body)).not.toContain('4111111111111111');
      const billing = await billingOf(t.dataSource, organization.id);
      expect(billing.map((b) => b.last4)).toEqual(['9876']);
    });

    it('answers 404 for an unknown organization and 400 for a malformed id', async () => {
      const unknown = await t.http
        .put('/api/provisioning/organizations/00000000-0000-4000-8000-000000000000/billing')
        .set('Authorization', AUTH)
        .send([])
        .expect(404);
      expectErrorShape(unknown.body, 404);
      const malformed = await t.http
        .put('/api/provisioning/organizations/not-a-uuid/billing')
        .set('Authorization', AUTH)
        .send([])
        .expect(400);
      expectErrorShape(malformed.body, 400);
    });
  });

  describe('POST /api/provisioning/organizations/:id/users', () => {
    it('adds a user (201 { id, email }) who can sign in', async () => {
      const organization = await makeOrganization(t.dataSource);
      const email = uniqueEmail('added');
      const response = await t.http
        .post(`/api/provisioning/organizations/${organization.id}/users`)
        .set('Authorization', AUTH)
        .send({ email, name: 'Added', role: 'practitioner', password: PASSWORD, locale: 'sv' })
        .expect(201);
      expect(response.body).toEqual({ id: expect.any(String), email });
      const token = await signIn(t.http, email, PASSWORD);
      const me = await t.http.get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(me.body).toMatchObject({
        id: response.body.id,
        role: 'practitioner',
        organizationId: organization.id,
      });
      const [event] = await t.dataSource.query(
        `SELECT actor_type, data FROM audit_events WHERE target_user_id = $1 AND action = 'user.provisioned'`,
        [response.body.id],
      );
      expect(event).toEqual({
        actor_type: 'provisioning',
        data: { role: 'practitioner', locale: 'sv' },
      });
    });

    it('refuses a second owner with 409 owner_exists', async () => {
      const organization = await makeOrganization(t.dataSource);
      await makeUser(t.dataSource, { organizationId: organization.id, role: 'owner' });
      const email = uniqueEmail('owner2');
      const response = await t.http
        .post(`/api/provisioning/organizations/${organization.id}/users`)
        .set('Authorization', AUTH)
        .send({ email, name: 'Second', role: 'owner', password: PASSWORD })
        .expect(409);
      expect(response.body.code).toBe('owner_exists');
      expect(await usersWithEmails(t.dataSource, [email])).toBe(0);
    });

    it('refuses a taken e-mail with 409, an unknown organization with 404, bad input with 400', async () => {
      const organization = await makeOrganization(t.dataSource);
      const existing = await makeUser(t.dataSource);
      const taken = await t.http
        .post(`/api/provisioning/organizations/${organization.id}/users`)
        .set('Authorization', AUTH)
        .send({ email: existing.email, name: 'Dup', role: 'admin', password: PASSWORD })
        .expect(409);
      expect(taken.body.code).toBe('email_taken');

      const email = uniqueEmail('nowhere');
      await t.http
        .post('/api/provisioning/organizations/00000000-0000-4000-8000-000000000000/users')
        .set('Authorization', AUTH)
        .send({ email, name: 'Nobody', role: 'admin', password: PASSWORD })
        .expect(404);
      const bad = await t.http
        .post(`/api/provisioning/organizations/${organization.id}/users`)
        .set('Authorization', AUTH)
        .send({ email, name: 'Bad', role: 'superuser', password: PASSWORD, extra: true })
        .expect(400);
      expect(messageText(bad.body)).toMatch(/role/);
      expect(messageText(bad.body)).toMatch(/extra/);
      expect(await usersWithEmails(t.dataSource, [email])).toBe(0);
    });
  });

  describe('POST /api/provisioning/agents', () => {
    it('creates a support agent (201) who sets up 2FA at first sign-in, then reads the audit trail', async () => {
      const email = uniqueEmail('agent');
      const response = await t.http
        .post('/api/provisioning/agents')
        .set('Authorization', AUTH)
        .send({ email, name: 'Sam Support', password: PASSWORD })
        .expect(201);
      expect(response.body).toEqual({ id: expect.any(String), email });
      const { token } = await enrollAtSignIn(t.http, email, PASSWORD);
      const me = await t.http.get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(me.body).toMatchObject({ role: 'agent', organizationId: null });
      await t.http.get('/api/audit').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('refuses a duplicate e-mail (409), a role field (400) and a short password (400)', async () => {
      const existing = await makeUser(t.dataSource, { role: 'agent' });
      const dup = await t.http
        .post('/api/provisioning/agents')
        .set('Authorization', AUTH)
        .send({ email: existing.email, name: 'Dup', password: PASSWORD })
        .expect(409);
      expect(dup.body.code).toBe('email_taken');
      const email = uniqueEmail('agent');
      await t.http
        .post('/api/provisioning/agents')
        .set('Authorization', AUTH)
        .send({ email, name: 'X', password: PASSWORD, role: 'owner' })
        .expect(400);
      await t.http
        .post('/api/provisioning/agents')
        .set('Authorization', AUTH)
        .send({ email, name: 'X', password: 'short' })
        .expect(400);
      expect(await usersWithEmails(t.dataSource, [email])).toBe(0);
    });
  });
});

describe('provisioning API without PROVISIONING_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PROVISIONING_TOKEN: '' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('does not exist (404), whatever token is presented', async () => {
    for (const header of [undefined, AUTH, 'Bearer ']) {
      const request = t.http.post('/api/provisioning/agents');
      if (header !== undefined) request.set('Authorization', header);
      const response = await request
        .send({ email: uniqueEmail('agent'), name: 'X', password: PASSWORD })
        .expect(404);
      expectErrorShape(response.body, 404);
    }
  });
});
