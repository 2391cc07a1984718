import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { BillingRecord } from '../../src/billing/billing-record.entity';
import { DEMO_PASSWORD } from '../../src/billing/demo-seed.service';
import { makeOrganization, makeBilling, makeUser, signIn, uniqueEmail } from '../helpers/factories';
import { CliResult, runCli } from '../helpers/run-cli';
import { createScratchDatabase } from '../helpers/scratch-database';
import { enrollAtSignIn } from '../helpers/two-factor';
import { PRODUCTION_ENV, startTestApp, TestApp } from '../helpers/test-app';

// each command is a process of its own that boots the application: slow on a busy 2-core machine
jest.setTimeout(180_000);

const AGENT_PASSWORD = 'an agent password';

/** A refusal: non-zero exit and exactly one line on stderr saying why. */
function expectOneLineRefusal(result: CliResult, code: number, reason: RegExp): void {
  expect({ code: result.code, stderr: result.stderr }).toEqual({
    code,
    stderr: expect.stringMatching(reason),
  });
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

function csvFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rd-csv-')), 'billing.csv');
  writeFileSync(file, content);
  return file;
}

describe('npm run cli (src/cli.ts as a real process, on the run database)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  function billingOf(organizationId: string) {
    return t.dataSource
      .getRepository(BillingRecord)
      .find({ where: { organizationId }, order: { kind: 'ASC', last4: 'ASC' } });
  }

  it('db:migrate has nothing left to do on a migrated database', async () => {
    const result = await runCli(['db:migrate']);
    expect(result).toMatchObject({ code: 0, stdout: 'No pending migrations\n' });
  });

  it('seed:demo creates the demo once, prints sign-ins that work, and is idempotent', async () => {
    const first = await runCli(['seed:demo']);
    expect(first.code).toBe(0);
    for (const email of [
      'owner@demo-clinic.test',
      'admin@demo-clinic.test',
      'practitioner@demo-clinic.test',
      'student@demo-university.test',
      'agent@recovery-desk.test',
    ]) {
      expect(first.stdout).toContain(email);
    }
    expect(first.stdout).toContain(`password: ${DEMO_PASSWORD}`);
    expect(first.stdout).toMatch(/agent@recovery-desk\.test .*sets up 2FA at first sign-in/);

    const second = await runCli(['seed:demo']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already present/);
    const [users] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM users WHERE email_normalized IN
        ('owner@demo-clinic.test', 'student@demo-university.test', 'agent@recovery-desk.test')`,
    );
    expect(users.n).toBe(3);

    // the printed sign-ins work, and each has its role
    const token = await signIn(t.http, 'owner@demo-clinic.test', DEMO_PASSWORD);
    const me = await t.http.get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body.role).toBe('owner');
    const clinic = me.body.organizationId as string;
    expect((await billingOf(clinic)).map((b) => b.kind)).toEqual(['bank_account', 'card']);
    // the demo agent sets up 2FA at first sign-in (agents always use two factors), then works
    const agent = await enrollAtSignIn(t.http, 'agent@recovery-desk.test', DEMO_PASSWORD);
    await t.http.get('/api/audit').set('Authorization', `Bearer ${agent.token}`).expect(200);
    const student = await signIn(t.http, 'student@demo-university.test', DEMO_PASSWORD);
    const studentMe = await t.http
      .get('/api/me')
      .set('Authorization', `Bearer ${student}`)
      .expect(200);
    const [academy] = await t.dataSource.query('SELECT plan FROM organizations WHERE id = $1', [
      studentMe.body.organizationId,
    ]);
    expect(academy.plan).toBe('academic');
    expect((await billingOf(studentMe.body.organizationId)).map((b) => b.kind)).toEqual([
      'student',
    ]);
  });

  it('seed:demo refuses to run with NODE_ENV=production', async () => {
    expectOneLineRefusal(
      await runCli(['seed:demo'], { env: PRODUCTION_ENV }),
      1,
      /refuses .*production/,
    );
  });

  it('agent:create --password-stdin creates an agent who can sign in', async () => {
    const email = uniqueEmail('cli-agent');
    const result = await runCli(['agent:create', email, 'Casey Agent', '--password-stdin'], {
      input: `${AGENT_PASSWORD}\n`,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(email);
    expect(result.stdout + result.stderr).not.toContain(AGENT_PASSWORD);
    const { token } = await enrollAtSignIn(t.http, email, AGENT_PASSWORD);
    const me = await t.http.get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({
      email,
      name: 'Casey Agent',
      role: 'agent',
      organizationId: null,
    });
    const [event] = await t.dataSource.query(
      `SELECT actor_type, data FROM audit_events WHERE target_user_id = $1 AND action = 'agent.created'`,
      [me.body.id],
    );
    expect(event).toEqual({
      actor_type: 'system',
      data: { role: 'agent', via: 'cli agent:create' },
    });
  });

  it('chains what a command wrote into the audit hash chain before it exits, with no service running', async () => {
    // a database of its own: the test app's sequencer (every 100 ms) must not do the work
    const scratch = await createScratchDatabase('cli_chain');
    const db = new Client({ connectionString: scratch.url });
    await db.connect();
    try {
      const email = uniqueEmail('cli-chain');
      const result = await runCli(['agent:create', email, 'Chain Agent', '--password-stdin'], {
        env: { DATABASE_URL: scratch.url },
        input: `${AGENT_PASSWORD}\n`,
      });
      expect(result.code).toBe(0);
      const { rows } = await db.query<{ action: string; seq: string | null; hash: string | null }>(
        'SELECT action, seq, hash FROM audit_events ORDER BY id',
      );
      expect(rows.map((row) => row.action)).toContain('agent.created');
      expect(rows.every((row) => row.seq !== null && row.hash !== null)).toBe(true);
    } finally {
      await db.end();
      await scratch.drop();
    }
  });

  it('agent:create refuses bad input with one line and a non-zero exit', async () => {
    const existing = await makeUser(t.dataSource, { role: 'agent' });
    const fresh = uniqueEmail('cli-agent');
    const [taken, badEmail, shortPassword, noTerminal, missing, unknownOption] = await Promise.all([
      runCli(['agent:create', existing.email, 'Dup', '--password-stdin'], {
        input: AGENT_PASSWORD,
      }),
      runCli(['agent:create', 'not-an-address', 'X', '--password-stdin'], {
        input: AGENT_PASSWORD,
      }),
      runCli(['agent:create', fresh, 'X', '--password-stdin'], { input: 'short\n' }),
      runCli(['agent:create', fresh, 'X']),
      runCli(['agent:create', fresh]),
      runCli(['agent:create', fresh, 'X', '--password', AGENT_PASSWORD]),
    ]);
    expectOneLineRefusal(taken, 1, /already in use/);
    expectOneLineRefusal(badEmail, 1, /email must be an e-mail address/);
    expectOneLineRefusal(shortPassword, 1, /password must be longer than or equal to 10/);
    expectOneLineRefusal(noTerminal, 1, /--password-stdin/);
    expectOneLineRefusal(missing, 2, /expected 2 argument/);
    expectOneLineRefusal(unknownOption, 2, /unknown option --password/);
    const [row] = await t.dataSource.query(
      'SELECT count(*)::int AS n FROM users WHERE email_normalized = $1',
      [fresh],
    );
    expect(row.n).toBe(0);
  });

  it('billing:import replaces the billing of every organization in the file, in one go', async () => {
    const clinic = await makeOrganization(t.dataSource);
    const academy = await makeOrganization(t.dataSource, { plan: 'academic' });
    await makeBilling(t.dataSource, clinic.id, { last4: '0001', holderName: 'Old Holder' });
    const untouched = await makeOrganization(t.dataSource);
    await makeBilling(t.dataSource, untouched.id, { last4: '7777' });
    const file = csvFile(
      [
        'organization_id,kind,last4,holder_name,student_id',
        `${clinic.id},card,4242,"Öberg, Åsa",`,
        `${clinic.id},bank_account,1234,Öberg Psykoterapi AB,`,
        '',
        `${academy.id.toUpperCase()},student,,,S-2024-00123`,
      ].join('\n'),
    );
    const result = await runCli(['billing:import', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Imported 3 billing record\(s\) for 2 organization\(s\)/);
    expect(
      (await billingOf(clinic.id)).map((b) => [b.kind, b.last4, b.holderName, b.studentId]),
    ).toEqual([
      ['bank_account', '1234', 'Öberg Psykoterapi AB', null],
      ['card', '4242', 'Öberg, Åsa', null],
    ]);
    expect((await billingOf(academy.id)).map((b) => b.studentId)).toEqual(['S-2024-00123']);
    expect((await billingOf(untouched.id)).map((b) => b.last4)).toEqual(['7777']);
    const events = await t.dataSource.query(
      `SELECT organization_id, data FROM audit_events WHERE action = 'billing.replaced' AND organization_id = ANY($1)`,
      [[clinic.id, academy.id]],
    );
    expect(events).toHaveLength(2);
    expect(JSON.stringify(events)).not.toMatch(
      /(?<![0-9A-Za-z-])4242(?![0-9A-Za-z-])|Öberg|S-2024/,
    );
  });

  it('billing:import imports nothing when any row is bad, naming the lines', async () => {
    const clinic = await makeOrganization(t.dataSource);
    await makeBilling(t.dataSource, clinic.id, { last4: '0001' });
    const file = csvFile(
      [
        'organization_id,kind,last4,holder_name,student_id',
        `${clinic.id},card,4242,Good Row,`,
        `${clinic.id},card,42a2,Bad Digits,`,
        `${clinic.id},card,4243,Good Row,`,
        `00000000-0000-4000-8000-000000000000,student,,,S-1`,
        `${clinic.id},student,1234,,S-2`,
        `not-a-uuid,card,1111,X,`,
      ].join('\n'),
    );
    const result = await runCli(['billing:import', file]);
    expectOneLineRefusal(result, 1, /nothing imported/);
    expect(result.stderr).toMatch(/line 3: last4 must be exactly 4 digits/);
    expect(result.stderr).toMatch(/line 5: organization_id names no organization/);
    expect(result.stderr).toMatch(
      /line 6: last4 is only allowed when kind is card or bank_account/,
    );
    expect(result.stderr).toMatch(/line 7: organization_id must be a UUID/);
    expect(result.stderr).not.toMatch(/line [24]:/);
    expect((await billingOf(clinic.id)).map((b) => b.last4)).toEqual(['0001']);
  });

  it('billing:import refuses a missing file, a wrong header and broken CSV with one line', async () => {
    const [missing, header, broken, empty, noArgument] = await Promise.all([
      runCli(['billing:import', '/nonexistent/billing.csv']),
      runCli(['billing:import', csvFile('org,kind,last4\n')]),
      runCli(['billing:import', csvFile('organization_id,kind\n"unterminated,card\n')]),
      runCli(['billing:import', csvFile('')]),
      runCli(['billing:import']),
    ]);
    expectOneLineRefusal(missing, 1, /no such file/);
    expectOneLineRefusal(header, 1, /line 1: unknown column "org"/);
    expectOneLineRefusal(broken, 1, /line \d+: not valid CSV/);
    expectOneLineRefusal(empty, 1, /empty/);
    expectOneLineRefusal(noArgument, 2, /expected 1 argument/);
  });

  it('audit:verify reports an intact chain with exit 0', async () => {
    const result = await runCli(['audit:verify']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Audit chain ok: \d+ event\(s\) verified\n$/);
  });

  it('refuses an unknown command and a bad variable with one line', async () => {
    const [unknown, badConfig] = await Promise.all([
      runCli(['users:delete']),
      runCli(['audit:verify'], { env: { DATABASE_URL: 'mysql://nope' } }),
    ]);
    expectOneLineRefusal(unknown, 2, /unknown command "users:delete"/);
    expectOneLineRefusal(badConfig, 1, /^Configuration error: DATABASE_URL/);
  });
});
