/**
 * Limits say what they are: the OpenAPI document served by the running app states every limit a
 * client can meet with the numbers the code enforces (imported here, so the two cannot drift),
 * lists every operation's 4xx answers, and each limit, when exceeded, answers the documented
 * status with its machine code. Swagger UI renders under the Content-Security-Policy.
 */
import type { Browser } from 'playwright-core';
import {
  ACCOUNT_FAILURE_LIMIT,
  IP_FAILURE_LIMIT,
  WINDOW_SECONDS,
} from '../../src/sign-in/login-rate-limiter';
import { JSON_BODY_LIMIT } from '../../src/app';
import {
  MAX_BILLING_ITEMS,
  MAX_USERS_PER_REQUEST,
  MIN_PASSWORD_LENGTH,
} from '../../src/billing/provisioning.dto';
import {
  FORM_FIELD_LIMIT,
  MAX_CANCEL_TOKEN_LENGTH,
  MAX_DECISION_TEXT_LENGTH,
  MAX_EMAIL_LENGTH,
  MAX_PASSWORD_LENGTH,
} from '../../src/common/field-limits';
import { MAX_PAGE, PAGE_SIZE } from '../../src/common/page-query.dto';
import { ConfigError, loadConfig, MIN_TOKEN_LENGTH } from '../../src/config/config.schema';
import { FAILURE_LIMIT, LOCK_SECONDS } from '../../src/enrollment/second-factor.service';
import { expectErrorShape, messageText } from '../helpers/assertions';
import { launchChromium, newPerson } from '../helpers/browser';
import { makeSignedInAgent } from '../helpers/two-factor';
import { makeOrganization, makeUser, uniqueEmail } from '../helpers/factories';
import {
  startTestApp,
  TEST_INBOUND_TOKEN,
  TEST_PROVISIONING_TOKEN,
  TestApp,
  testEnv,
} from '../helpers/test-app';

const PROVISIONING = `Bearer ${TEST_PROVISIONING_TOKEN}`;
const INBOUND = `Bearer ${TEST_INBOUND_TOKEN}`;
/** small, so the over-the-limit message stays cheap to send */
const MAX_MESSAGE_BYTES = 64 * 1024;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Schema {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  maximum?: number;
  oneOf?: Schema[];
}
interface Operation {
  description?: string;
  parameters?: { in: string; name: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: Record<string, string[]>[];
}
interface OpenApiDocument {
  info: { description: string };
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

function operations(doc: OpenApiDocument): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = item[method];
      return operation === undefined ? [] : [[`${method.toUpperCase()} ${path}`, operation]];
    }),
  ) as [string, Operation][];
}

const resolve = (doc: OpenApiDocument, schema: Schema): Schema =>
  schema.$ref === undefined ? schema : doc.components.schemas[schema.$ref.split('/').pop() ?? ''];

/** The 4xx a client can meet on an operation, from what the operation is made of. */
function expectedErrors(operation: Operation): string[] {
  const expected = new Set<string>();
  if ((operation.security ?? []).length > 0) expected.add('401');
  if (operation.requestBody?.content['application/json'] !== undefined) {
    ['400', '413', '415'].forEach((status) => expected.add(status));
  }
  if ((operation.parameters ?? []).some((parameter) => parameter.in === 'query')) {
    expected.add('400');
  }
  return [...expected].sort();
}

describe('OpenAPI document: every limit and every 4xx, with the numbers the code enforces', () => {
  let t: TestApp;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    t = await startTestApp({ MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) });
    doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every operation documents a success and its 4xx answers, each with the error schema', () => {
    const errorSchema = doc.components.schemas.ErrorBodyView;
    expect(Object.keys(errorSchema.properties ?? {}).sort()).toEqual(
      ['code', 'error', 'message', 'statusCode'].sort(),
    );
    const gaps: string[] = [];
    for (const [name, operation] of operations(doc)) {
      const statuses = Object.keys(operation.responses);
      if (!statuses.some((status) => status.startsWith('2'))) gaps.push(`${name}: no 2xx`);
      // the health check answers 200 or 503 and nothing else: it has no 4xx to document
      if (name === 'GET /health') continue;
      const documented = statuses.filter((status) => status.startsWith('4'));
      if (documented.length === 0) gaps.push(`${name}: no 4xx`);
      for (const status of expectedErrors(operation)) {
        if (!documented.includes(status)) gaps.push(`${name}: ${status} missing`);
      }
      if ((operation.parameters ?? []).some((parameter) => parameter.in === 'path')) {
        // a malformed id is a 400 (or, where it is answered like an unknown id, a 404)
        if (!documented.includes('404')) gaps.push(`${name}: 404 missing`);
      }
      for (const status of documented) {
        const schema = operation.responses[status].content?.['application/json']?.schema;
        if (schema?.$ref !== '#/components/schemas/ErrorBodyView') {
          gaps.push(`${name}: ${status} without the error schema`);
        }
      }
    }
    expect(gaps).toEqual([]);
  });

  it('states the provisioning limits: users and billing records per call, password length', () => {
    const schemas = doc.components.schemas;
    expect(schemas.CreateOrganizationDto.properties?.users.maxItems).toBe(MAX_USERS_PER_REQUEST);
    expect(schemas.CreateOrganizationDto.properties?.billing.maxItems).toBe(MAX_BILLING_ITEMS);
    const billing = doc.paths['/api/provisioning/organizations/{id}/billing'].put;
    expect(billing?.requestBody?.content['application/json'].schema.maxItems).toBe(
      MAX_BILLING_ITEMS,
    );
    for (const name of ['ProvisionUserDto', 'CreateAgentDto']) {
      expect(schemas[name].properties?.password).toEqual(
        expect.objectContaining({
          minLength: MIN_PASSWORD_LENGTH,
          maxLength: MAX_PASSWORD_LENGTH,
        }),
      );
    }
    expect(schemas.LoginDto.properties?.email.maxLength).toBe(MAX_EMAIL_LENGTH);
    expect(schemas.LoginDto.properties?.password.maxLength).toBe(MAX_PASSWORD_LENGTH);
    expect(schemas.DenyRequestDto.properties?.reason.maxLength).toBe(MAX_DECISION_TEXT_LENGTH);
    expect(schemas.CancelRequestDto.properties?.token.maxLength).toBe(MAX_CANCEL_TOKEN_LENGTH);
  });

  it('bounds every string and array a client sends (no field without its limit)', () => {
    const unbounded: string[] = [];
    const visit = (schema: Schema, where: string) => {
      const resolved = resolve(doc, schema);
      if (resolved.type === 'array') {
        if (resolved.maxItems === undefined) unbounded.push(`${where}: no maxItems`);
        if (resolved.items !== undefined) visit(resolved.items, `${where}[]`);
      } else if (resolved.type === 'string') {
        const bounded =
          resolved.maxLength !== undefined ||
          resolved.enum !== undefined ||
          resolved.pattern !== undefined ||
          resolved.format === 'uuid';
        if (!bounded) unbounded.push(`${where}: no maxLength, enum or pattern`);
      } else if (resolved.type === 'integer' || resolved.type === 'number') {
        if (resolved.maximum === undefined) unbounded.push(`${where}: no maximum`);
      }
      for (const [name, property] of Object.entries(resolved.properties ?? {})) {
        visit(property, `${where}.${name}`);
      }
    };
    for (const [name, operation] of operations(doc)) {
      const body = operation.requestBody?.content['application/json']?.schema;
      if (body !== undefined) visit(body, `${name} body`);
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query' && parameter.schema !== undefined) {
          visit(parameter.schema, `${name} ?${parameter.name}`);
        }
      }
    }
    expect(unbounded).toEqual([]);
  });

  it('states page sizes, body and message sizes, token lengths and rate limits', () => {
    const description = doc.info.description;
    expect(description).toContain(`| JSON or form body | ${JSON_BODY_LIMIT} bytes |`);
    expect(description).toContain(`${MAX_MESSAGE_BYTES} bytes`);
    expect(description).toContain(`| ${MAX_USERS_PER_REQUEST} |`);
    expect(description).toContain(`| fields of a form body | ${FORM_FIELD_LIMIT} |`);
    expect(description).toContain(`| page size of every list | ${PAGE_SIZE} |`);
    const page = doc.paths['/api/recovery/requests'].get?.parameters?.find(
      (parameter) => parameter.name === 'page',
    );
    expect(page?.schema?.maximum).toBe(MAX_PAGE);

    const window = `${WINDOW_SECONDS / 60} minutes`;
    const login = doc.paths['/api/auth/login'].post?.description ?? '';
    expect(login).toContain(`${ACCOUNT_FAILURE_LIMIT} per account`);
    expect(login).toContain(`${IP_FAILURE_LIMIT} per client IP within ${window}`);
    for (const path of ['/api/auth/totp', '/api/auth/recovery-code']) {
      expect(doc.paths[path].post?.description).toContain(
        `After ${FAILURE_LIMIT} consecutive wrong codes`,
      );
      expect(doc.paths[path].post?.description).toContain(`${LOCK_SECONDS / 60} minutes`);
    }
    for (const name of ['provisioning-token', 'inbound-token', 'metrics-token']) {
      expect(doc.components.securitySchemes[name].description).toContain(
        `at least ${MIN_TOKEN_LENGTH} characters`,
      );
    }
  });

  it('describes every bearer token as opaque, none as a JWT', () => {
    const schemes = Object.values(doc.components.securitySchemes);
    expect(schemes.length).toBeGreaterThanOrEqual(1);
    for (const scheme of schemes) {
      expect(scheme).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
      expect(scheme.bearerFormat).not.toMatch(/jwt/i);
    }
    const security = operations(doc).flatMap(([, operation]) => operation.security ?? []);
    const used = new Set(security.flatMap((requirement) => Object.keys(requirement)));
    expect([...used].sort()).toEqual([
      'bearer',
      'inbound-token',
      'metrics-token',
      'provisioning-token',
    ]);
  });
});

describe('Swagger UI under the Content-Security-Policy', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders the operations list with no CSP violation', async () => {
    const person = await newPerson(browser, t.httpUrl ?? '');
    const violations: string[] = [];
    person.page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await person.page.goto('/api/docs');
    const operation = person.page.locator('.opblock-summary-path', { hasText: '/api/auth/login' });
    await operation.first().waitFor({ state: 'visible' });
    await person.screenshot('api-docs');
    expect(await person.page.locator('.opblock').count()).toBeGreaterThanOrEqual(20);
    expect(violations).toEqual([]);
    expect(person.problems).toEqual([]);
    await person.context.close();
  });

  it('keeps the strict policy on every other page', async () => {
    for (const path of ['/login', '/api/me', '/']) {
      const policy = (await t.http.get(path)).headers['content-security-policy'];
      expect(policy).toMatch(/style-src 'self'(;|$)/);
      expect(policy).toMatch(/script-src 'self'(;|$)/);
    }
    const docsPolicy = (await t.http.get('/api/docs/')).headers['content-security-policy'];
    expect(docsPolicy).toMatch(/script-src 'self'(;|$)/);
  });
});

describe('every limit, exceeded, answers the documented status with its code', () => {
  let t: TestApp;
  let organizationId: string;

  beforeAll(async () => {
    t = await startTestApp({ MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES) });
    organizationId = (await makeOrganization(t.dataSource)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const user = (password = 'long enough password') => ({
    email: uniqueEmail('limit'),
    name: 'Limit Tester',
    role: 'practitioner',
    password,
  });
  const card = { kind: 'card', last4: '4242', holderName: 'A Holder' };

  function expectLimit(
    response: { status: number; body: unknown },
    status: number,
    code: string,
    names: RegExp,
  ): void {
    expect(response.status).toBe(status);
    expectErrorShape(response.body, status);
    expect((response.body as { code?: string }).code).toBe(code);
    expect(messageText(response.body)).toMatch(names);
  }

  it(`more than ${MAX_USERS_PER_REQUEST} users in one call: 400 invalid_input naming the limit`, async () => {
    const users = Array.from({ length: MAX_USERS_PER_REQUEST + 1 }, () => user());
    const response = await t.http
      .post('/api/provisioning/organizations')
      .set('Authorization', PROVISIONING)
      .send({ name: 'Too Many', plan: 'paid', billing: [card], users });
    expectLimit(response, 400, 'invalid_input', new RegExp(`users.*${MAX_USERS_PER_REQUEST}`));
  });

  it(`more than ${MAX_BILLING_ITEMS} billing records, in either call: 400 invalid_input naming the limit`, async () => {
    const billing = Array.from({ length: MAX_BILLING_ITEMS + 1 }, () => card);
    const create = await t.http
      .post('/api/provisioning/organizations')
      .set('Authorization', PROVISIONING)
      .send({ name: 'Too Many', plan: 'paid', billing, users: [] });
    expectLimit(create, 400, 'invalid_input', new RegExp(`billing.*${MAX_BILLING_ITEMS}`));
    const replace = await t.http
      .put(`/api/provisioning/organizations/${organizationId}/billing`)
      .set('Authorization', PROVISIONING)
      .send(billing);
    expectLimit(replace, 400, 'invalid_input', new RegExp(`${MAX_BILLING_ITEMS}`));
  });

  it('a password outside its lengths: 400 invalid_input naming the length', async () => {
    const path = `/api/provisioning/organizations/${organizationId}/users`;
    const short = await t.http
      .post(path)
      .set('Authorization', PROVISIONING)
      .send(user('x'.repeat(MIN_PASSWORD_LENGTH - 1)));
    expectLimit(short, 400, 'invalid_input', new RegExp(`password.*${MIN_PASSWORD_LENGTH}`));
    const long = await t.http
      .post('/api/provisioning/agents')
      .set('Authorization', PROVISIONING)
      .send({ ...user('x'.repeat(MAX_PASSWORD_LENGTH + 1)), role: undefined });
    expectLimit(long, 400, 'invalid_input', new RegExp(`password.*${MAX_PASSWORD_LENGTH}`));
  });

  it('a JSON or form body over the limit: 413 payload_too_large naming the limit', async () => {
    const json = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@example.test', password: 'x'.repeat(JSON_BODY_LIMIT) }));
    expectLimit(json, 413, 'payload_too_large', new RegExp(`${JSON_BODY_LIMIT} bytes`));
    const form = await t.http
      .post('/api/recovery/cancel')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`token=${'x'.repeat(JSON_BODY_LIMIT)}`);
    expectLimit(form, 413, 'payload_too_large', new RegExp(`${JSON_BODY_LIMIT} bytes`));
  });

  it('a webhook message over MAX_MESSAGE_BYTES: 413 payload_too_large naming the limit', async () => {
    const raw = `From: a@example.test\r\nSubject: big\r\n\r\n${'x'.repeat(MAX_MESSAGE_BYTES)}`;
    const response = await t.http
      .post('/api/inbound/messages')
      .set('Authorization', INBOUND)
      .set('Content-Type', 'message/rfc822')
      .send(raw);
    expectLimit(response, 413, 'payload_too_large', new RegExp(`${MAX_MESSAGE_BYTES} bytes`));
  });

  it('a page past the last allowed one: 400 invalid_input naming the maximum', async () => {
    const agent = await makeSignedInAgent(t.http, t.dataSource);
    const response = await t.http
      .get(`/api/recovery/requests?page=${MAX_PAGE + 1}`)
      .set('Authorization', `Bearer ${agent.token}`);
    expectLimit(response, 400, 'invalid_input', new RegExp(`page.*${MAX_PAGE}`));
  });

  it(`failed sign-ins past ${ACCOUNT_FAILURE_LIMIT} per account: 429 rate_limited with Retry-After`, async () => {
    const member = await makeUser(t.dataSource, { organizationId });
    const attempt = () =>
      t.http.post('/api/auth/login').send({ email: member.email, password: 'wrong password here' });
    for (let i = 0; i < ACCOUNT_FAILURE_LIMIT; i++) expect((await attempt()).status).toBe(401);
    const refused = await attempt();
    expectLimit(refused, 429, 'rate_limited', /too many/i);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(WINDOW_SECONDS);
  });

  it(`a token shorter than ${MIN_TOKEN_LENGTH} characters: the server refuses to start, naming it`, () => {
    const short = 'x'.repeat(MIN_TOKEN_LENGTH - 1);
    for (const name of ['PROVISIONING_TOKEN', 'INBOUND_TOKEN']) {
      const start = () => loadConfig(testEnv({ [name]: short }));
      expect(start).toThrow(ConfigError);
      expect(start).toThrow(new RegExp(`${name}.*${MIN_TOKEN_LENGTH}`));
    }
    expect(() =>
      loadConfig(testEnv({ INBOUND_TOKEN: 'x'.repeat(MIN_TOKEN_LENGTH) })),
    ).not.toThrow();
  });
});

describe('validation and body-parser errors carry the machine code', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const cases: {
    label: string;
    send: (t: TestApp) => Promise<{ status: number; body: unknown }>;
    status: number;
    code: string;
  }[] = [
    {
      label: 'malformed JSON',
      send: (t) =>
        t.http.post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":'),
      status: 400,
      code: 'invalid_input',
    },
    {
      label: 'a JSON body in a charset other than UTF-8',
      send: (t) =>
        t.http
          .post('/api/auth/login')
          .set('Content-Type', 'application/json; charset=latin1')
          .send('{}'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      label: 'a body of a content type the API does not read',
      send: (t) =>
        t.http
          .post('/api/recovery/cancel')
          .set('Content-Type', 'text/plain')
          .send('{"token":"abcdefghijkl"}'),
      status: 415,
      code: 'unsupported_media_type',
    },
    {
      label: `a form body of more than ${FORM_FIELD_LIMIT} fields`,
      send: (t) =>
        t.http
          .post('/api/recovery/cancel')
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .send(Array.from({ length: FORM_FIELD_LIMIT + 1 }, (_, i) => `f${i}=1`).join('&')),
      status: 413,
      code: 'payload_too_large',
    },
    {
      label: 'a failed validation',
      send: (t) => t.http.post('/api/auth/login').send({ email: 5 }),
      status: 400,
      code: 'invalid_input',
    },
    {
      label: 'a malformed id',
      send: (t) =>
        t.http
          .put('/api/provisioning/organizations/not-a-uuid/billing')
          .set('Authorization', PROVISIONING)
          .send([]),
      status: 400,
      code: 'invalid_input',
    },
    {
      label: 'an unknown route',
      send: (t) => t.http.get('/api/no-such-thing'),
      status: 404,
      code: 'not_found',
    },
  ];

  it.each(cases.map((c) => [c.label, c] as const))('%s', async (_label, c) => {
    const response = await c.send(t);
    expect(response.status).toBe(c.status);
    expectErrorShape(response.body, c.status);
    expect((response.body as { code?: string }).code).toBe(c.code);
  });

  it('lists one message per failing field, nested fields by their path', async () => {
    const response = await t.http
      .post('/api/provisioning/organizations')
      .set('Authorization', PROVISIONING)
      .send({
        name: 42,
        plan: 'free',
        billing: [],
        users: [{ email: 'not an address', name: 'N', role: 'owner', password: 7 }],
      });
    expect(response.status).toBe(400);
    expect((response.body as { code?: string }).code).toBe('invalid_input');
    expect((response.body as { message: string[] }).message).toEqual([
      'name must be a string',
      'plan must be one of the following values: paid, academic',
      'users.0.email must be an e-mail address',
      'users.0.password must be a string',
    ]);
  });
});
