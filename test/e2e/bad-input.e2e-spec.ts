import type { DataSource } from 'typeorm';
import { expectErrorShape, messageText } from '../helpers/assertions';
import { makeOrganization, makeUser } from '../helpers/factories';
import { createScratchDatabase, ScratchDatabase } from '../helpers/scratch-database';
import { startTestApp, TEST_PROVISIONING_TOKEN, TestApp } from '../helpers/test-app';

const AUTH = `Bearer ${TEST_PROVISIONING_TOKEN}`;
const TEN_MB = 10 * 1024 * 1024;
const TABLES = ['organizations', 'users', 'sessions', 'billing_records', 'audit_events'];

/** Every table's row count: on a database of this file's own, so nothing else moves them. */
async function rowCounts(db: DataSource): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await db.query(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = row.n as number;
  }
  return counts;
}

interface Case {
  label: string;
  method: 'post' | 'put';
  path: () => string;
  auth?: boolean;
  contentType?: string;
  body: () => string | object;
  status: number;
  field?: RegExp;
}

describe('bad input anywhere: a 4xx in the contract shape, and nothing changes', () => {
  let scratch: ScratchDatabase;
  let t: TestApp;
  let organizationId: string;
  let email: string;
  const validOrganization = () => ({
    name: 'Bad Input Clinic',
    plan: 'paid',
    billing: [{ kind: 'card', last4: '4242', holderName: 'A Holder' }],
    users: [
      { email: 'new-user@example.test', name: 'N', role: 'owner', password: 'long enough pw' },
    ],
  });

  beforeAll(async () => {
    scratch = await createScratchDatabase('badinput');
    t = await startTestApp({ DATABASE_URL: scratch.url });
    organizationId = (await makeOrganization(t.dataSource)).id;
    email = (await makeUser(t.dataSource, { organizationId })).email;
  });
  afterAll(async () => {
    await t?.close();
    await scratch?.drop();
  });

  const huge = () => JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(TEN_MB) });
  const cases: Case[] = [
    // sign-in
    {
      label: 'login: malformed JSON',
      method: 'post',
      path: () => '/api/auth/login',
      contentType: 'application/json',
      body: () => '{"email": "a@example.test", "password": ',
      status: 400,
    },
    {
      label: 'login: JSON that is a string',
      method: 'post',
      path: () => '/api/auth/login',
      contentType: 'application/json',
      body: () => '"just a string"',
      status: 400,
    },
    {
      label: 'login: an unknown field',
      method: 'post',
      path: () => '/api/auth/login',
      body: () => ({ email, password: 'correct horse battery staple', admin: true }),
      status: 400,
      field: /admin/,
    },
    {
      // a role smuggled in through __proto__ must not fill in the missing one
      label: 'provisioning: a role only under __proto__',
      method: 'post',
      path: () => '/api/provisioning/organizations',
      auth: true,
      contentType: 'application/json',
      body: () =>
        `{"name":"P","plan":"paid","billing":[],"users":[{"email":"proto@example.test","name":"P","password":"long enough pw","__proto__":{"role":"owner"}}]}`,
      status: 400,
      field: /role/,
    },
    {
      label: 'login: e-mail as a number',
      method: 'post',
      path: () => '/api/auth/login',
      body: () => ({ email: 12345, password: 'x' }),
      status: 400,
      field: /email/,
    },
    {
      label: 'login: password as an object',
      method: 'post',
      path: () => '/api/auth/login',
      body: () => ({ email, password: { $ne: null } }),
      status: 400,
      field: /password/,
    },
    {
      label: 'login: an array body',
      method: 'post',
      path: () => '/api/auth/login',
      body: () => [{ email, password: 'x' }],
      status: 400,
    },
    {
      label: 'login: no body',
      method: 'post',
      path: () => '/api/auth/login',
      body: () => ({}),
      status: 400,
      field: /email/,
    },
    {
      label: 'login: a 10 MB body',
      method: 'post',
      path: () => '/api/auth/login',
      contentType: 'application/json',
      body: huge,
      status: 413,
    },
    {
      label: 'login: a 10 MB form body',
      method: 'post',
      path: () => '/api/auth/login',
      contentType: 'application/x-www-form-urlencoded',
      body: () => `email=a%40example.test&password=${'x'.repeat(TEN_MB)}`,
      status: 413,
    },
    // provisioning
    {
      label: 'provisioning: malformed JSON',
      method: 'post',
      path: () => '/api/provisioning/organizations',
      auth: true,
      contentType: 'application/json',
      body: () => '{"name": "X", plan: paid}',
      status: 400,
    },
    {
      label: 'provisioning: an unknown field',
      method: 'post',
      path: () => '/api/provisioning/organizations',
      auth: true,
      body: () => ({ ...validOrganization(), discount: 10 }),
      status: 400,
      field: /discount/,
    },
    {
      label: 'provisioning: an unknown nested field',
      method: 'post',
      path: () => '/api/provisioning/organizations',
      auth: true,
      body: () => ({
        ...validOrganization(),
        users: [{ ...validOrganization().users[0], isAdmin: true }],
      }),
      status: 400,
      field: /isAdmin/,
    },
    {
      label: 'provisioning: wrong types',
      method: 'post',
      path: () => '/api/provisioning/organizations',
      auth: true,
      body: () => ({ ...validOrganization(), name: ['a'], require2fa: 'true', users: 'everyone' }),
      status: 400,
      field: /name[\s\S]*require2fa[\s\S]*users|name/,
    },
    {
      label: 'provisioning: a 10 MB body',
      method: 'post',
      path: () => '/api/provisioning/organizations',
      auth: true,
      contentType: 'application/json',
      body: () => JSON.stringify({ ...validOrganization(), name: 'x'.repeat(TEN_MB) }),
      status: 413,
    },
    {
      label: 'billing: malformed JSON',
      method: 'put',
      path: () => `/api/provisioning/organizations/${organizationId}/billing`,
      auth: true,
      contentType: 'application/json',
      body: () => '[{"kind":"card",',
      status: 400,
    },
    {
      label: 'billing: wrong types',
      method: 'put',
      path: () => `/api/provisioning/organizations/${organizationId}/billing`,
      auth: true,
      body: () => [{ kind: 'card', last4: 4242, holderName: null }],
      status: 400,
      field: /last4/,
    },
    {
      label: 'users: wrong types',
      method: 'post',
      path: () => `/api/provisioning/organizations/${organizationId}/users`,
      auth: true,
      body: () => ({ email: true, name: 1, role: 'owner', password: 1234567890123 }),
      status: 400,
      field: /email/,
    },
    {
      label: 'agents: an unknown field',
      method: 'post',
      path: () => '/api/provisioning/agents',
      auth: true,
      body: () => ({
        email: 'agent@example.test',
        name: 'A',
        password: 'long enough pw',
        organizationId,
      }),
      status: 400,
      field: /organizationId/,
    },
    {
      label: 'agents: a 10 MB body',
      method: 'post',
      path: () => '/api/provisioning/agents',
      auth: true,
      contentType: 'application/json',
      body: huge,
      status: 413,
    },
  ];

  it.each(cases.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const before = await rowCounts(t.dataSource);
    let request = c.method === 'post' ? t.http.post(c.path()) : t.http.put(c.path());
    if (c.auth === true) request = request.set('Authorization', AUTH);
    if (c.contentType !== undefined) request = request.set('Content-Type', c.contentType);
    const response = await request.send(c.body());
    expect(response.status).toBe(c.status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expectErrorShape(response.body, c.status);
    if (c.field !== undefined) expect(messageText(response.body)).toMatch(c.field);
    // no stack traces or internals leak
    expect(JSON.stringify(response.body)).not.toMatch(
      /\bat .*\.(js|ts):\d+|node_modules|QueryFailedError/,
    );
    expect(await rowCounts(t.dataSource)).toEqual(before);
  });

  it('still serves good requests afterwards', async () => {
    await t.http
      .post('/api/provisioning/organizations')
      .set('Authorization', AUTH)
      .send(validOrganization())
      .expect(201);
  });
});
