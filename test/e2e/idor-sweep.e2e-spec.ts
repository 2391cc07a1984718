/**
 * IDOR sweep, generated from the OpenAPI document: every operation with a path parameter is
 * called as every kind of caller with the ids of another organization (B) and with malformed
 * ids. Only the pairs in ALLOWED may answer 2xx (agents and the back office legitimately reach
 * every organization); everything else is a 4xx with a machine code, and nothing is a 5xx.
 */
import { TEST_INBOUND_TOKEN, TEST_PROVISIONING_TOKEN } from '../helpers/test-app';
import { makeOrganization, makeUser, signIn } from '../helpers/factories';
import {
  Clinic,
  makeAgent,
  makeClinic,
  makeMember,
  Member,
  RecoveryWorld,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';

const ROLES = [
  'anonymous',
  'practitioner',
  'admin',
  'owner',
  'agent',
  'provisioning',
  'inbound',
] as const;
type Role = (typeof ROLES)[number];

/** The ids of organization B, by what they name. */
const B_IDS = ['organization', 'owner', 'practitioner', 'request', 'message'] as const;
type IdKind = (typeof B_IDS)[number];

/**
 * Who may get a 2xx from which operation for which of B's ids. The back office provisions any
 * organization; agents decide every organization's requests. Owners and admins act on their own
 * organization only, so nothing of B is theirs.
 */
const ALLOWED: Record<string, Partial<Record<Role, IdKind[]>>> = {
  'PUT /api/provisioning/organizations/{id}/billing': { provisioning: ['organization'] },
  'POST /api/provisioning/organizations/{id}/users': { provisioning: ['organization'] },
  'POST /api/org/users/{id}/2fa/reset': {},
  'GET /api/recovery/requests/{id}': { agent: ['request'] },
  'POST /api/recovery/requests/{id}/approve': { agent: ['request'] },
  'POST /api/recovery/requests/{id}/deny': { agent: ['request'] },
  'POST /api/org/recovery-requests/{id}/cancel': {},
};

/** Path segments as sent (already encoded where encoding is the point). */
const MALFORMED_IDS: Record<string, string> = {
  'not a uuid': 'not-a-uuid',
  empty: '',
  'very long': 'a'.repeat(4000),
  'dot-dot slash': '../',
  'encoded dot-dot': '..%2F..%2Fapi%2Fme',
  unicode: encodeURIComponent('ｕｕｉｄ-é-😀-\u202e'),
  number: '12345',
  negative: '-1',
  'nil uuid': '00000000-0000-0000-0000-000000000000',
  'uuid with junk': '3f2504e0-4f89-11d3-9a0c-0305e82c3301%00',
  'broken percent-encoding': '%E0%A4%A',
  'SQL-ish': encodeURIComponent("' OR '1'='1"),
  'JSON-ish': encodeURIComponent('{"$ne":null}'),
};

/** Malformed ids that do reach something legitimate: an empty id is the list route itself. */
const MALFORMED_ALLOWED: Record<string, Partial<Record<Role, string[]>>> = {
  'GET /api/recovery/requests/{id}': { agent: ['empty'] },
};

/** A body each operation accepts, so a refusal comes from access rules, not validation. */
function bodyFor(operation: string): object | unknown[] | undefined {
  if (operation.endsWith('/billing')) return [];
  if (operation.endsWith('/users')) {
    return {
      email: `idor-${Math.random().toString(36).slice(2)}@example.test`,
      name: 'Sweep',
      role: 'practitioner',
      password: 'long enough password',
    };
  }
  if (operation.endsWith('/2fa/reset')) return { code: '123456' };
  if (operation.endsWith('/deny')) return { reason: 'sweep' };
  if (operation.startsWith('POST')) return {};
  return undefined;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
}

/** Every operation with a path parameter, as "METHOD /path/{name}". */
function pathParameterOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([, operation]) => (operation.parameters ?? []).some((p) => p.in === 'path'))
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
}

describe('IDOR sweep over every operation with a path parameter', () => {
  let world: RecoveryWorld;
  let clinicB: Clinic;
  const credentials = {} as Record<Role, string | undefined>;
  const idsOfB = {} as Record<IdKind, string>;
  let operationsList: string[];

  beforeAll(async () => {
    world = await startRecoveryWorld();
    const db = world.t.dataSource;
    const organizationA = await makeOrganization(db);
    for (const role of ['practitioner', 'admin', 'owner'] as const) {
      const member = await makeUser(db, { organizationId: organizationA.id, role });
      credentials[role] = `Bearer ${await signIn(world.t.http, member.email)}`;
    }
    credentials.agent = `Bearer ${(await makeAgent(world)).token}`;
    credentials.provisioning = `Bearer ${TEST_PROVISIONING_TOKEN}`;
    credentials.inbound = `Bearer ${TEST_INBOUND_TOKEN}`;

    clinicB = await makeClinic(world);
    const ownerB: Member = await makeMember(world, clinicB, 'owner');
    const memberB = await makeMember(world, clinicB, 'practitioner');
    const sent = await sendRecoveryMail(
      world,
      clinicB,
      memberB.email,
      `I lost my phone. Card ending ${clinicB.last4}, ${clinicB.holderName}.`,
    );
    if (sent.requestId === null) throw new Error(`no recovery request: ${sent.state}`);
    Object.assign(idsOfB, {
      organization: clinicB.organizationId,
      owner: ownerB.id,
      practitioner: memberB.id,
      request: sent.requestId,
      message: sent.inboundId,
    });
    const doc = (await world.t.http.get('/api/docs-json').expect(200)).body as OpenApiDocument;
    operationsList = pathParameterOperations(doc);
  });
  afterAll(async () => {
    await world?.close();
  });

  async function call(operation: string, role: Role, segment: string) {
    const [method, template] = operation.split(' ');
    const path = template.replace(/\{[^}]+\}/, segment);
    let request = world.t.http[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch'](path);
    const authorization = credentials[role];
    if (authorization !== undefined) request = request.set('Authorization', authorization);
    const body = bodyFor(operation);
    const response = await (body === undefined ? request : request.send(body));
    return { status: response.status, body: response.body as { code?: unknown } };
  }

  it('knows every operation with a path parameter (a new one needs its allow-list here)', () => {
    expect(operationsList.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it("gives nobody but the allowed another organization's resources, and never a 5xx", async () => {
    const calls = operationsList.flatMap((operation) =>
      ROLES.flatMap((role) =>
        B_IDS.map((kind) => ({
          operation,
          role,
          kind,
          allowed: ALLOWED[operation][role]?.includes(kind) ?? false,
        })),
      ),
    );
    // refused calls first: an allowed decision (approve, deny) must not leave B's request in a
    // state that would mask a later wrongful cancel or reset as a 409
    const ordered = [...calls.filter((c) => !c.allowed), ...calls.filter((c) => c.allowed)];
    const wrong: string[] = [];
    const allowedAnswers: string[] = [];
    for (const { operation, role, kind, allowed } of ordered) {
      const { status, body } = await call(operation, role, idsOfB[kind]);
      const where = `${operation} as ${role} with B's ${kind}`;
      if (allowed) {
        allowedAnswers.push(`${where}: ${status}`);
        // a decided request answers 409 to the next decision
        if (!(status < 300 || status === 409)) wrong.push(`${where}: ${status}`);
      } else if (status < 400 || status >= 500 || typeof body.code !== 'string') {
        wrong.push(`${where}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    // the sweep reaches the handlers: what is allowed does answer
    expect(allowedAnswers).toEqual(
      expect.arrayContaining([
        `GET /api/recovery/requests/{id} as agent with B's request: 200`,
        `PUT /api/provisioning/organizations/{id}/billing as provisioning with B's organization: 200`,
      ]),
    );
  });

  it('answers malformed ids with a 4xx and a code, for every caller, never a 5xx', async () => {
    const wrong: string[] = [];
    for (const operation of operationsList) {
      for (const role of ROLES) {
        for (const [label, segment] of Object.entries(MALFORMED_IDS)) {
          const { status, body } = await call(operation, role, segment);
          if (MALFORMED_ALLOWED[operation]?.[role]?.includes(label) === true && status === 200) {
            continue;
          }
          if (status < 400 || status >= 500 || typeof body.code !== 'string') {
            wrong.push(`${operation} as ${role}, ${label}: ${status} ${JSON.stringify(body)}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
