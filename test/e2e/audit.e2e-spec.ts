import type { DataSource } from 'typeorm';
import { makeUser, signIn } from '../helpers/factories';
import { makeSignedInAgent } from '../helpers/two-factor';
import { runCli } from '../helpers/run-cli';
import { createScratchDatabase, ScratchDatabase } from '../helpers/scratch-database';
import { startTestApp, TestApp } from '../helpers/test-app';

async function agentToken(t: TestApp): Promise<string> {
  return (await makeSignedInAgent(t.http, t.dataSource)).token;
}

async function auditCount(db: DataSource): Promise<number> {
  const [row] = await db.query('SELECT count(*)::int AS n FROM audit_events');
  return row.n as number;
}

describe('audit trail on the shared database', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await agentToken(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('verifies the whole hash chain: { ok: true, events }', async () => {
    const response = await t.http
      .get('/api/audit/verify')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(response.body).toEqual({ ok: true, events: expect.any(Number) });
    expect(response.body.events).toBeGreaterThan(0);
  });

  it('lists events newest first, filtered by user and by organization', async () => {
    const user = await makeUser(t.dataSource);
    await signIn(t.http, user.email);
    await t.http.post('/api/auth/login').send({ email: user.email, password: 'wrong password' });
    const byUser = await t.http
      .get(`/api/audit?userId=${user.id}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(byUser.body.total).toBe(2);
    expect(byUser.body.items.map((e: { action: string }) => e.action)).toEqual([
      'auth.password_failed',
      'auth.signed_in',
    ]);
    expect(byUser.body.items[0]).toMatchObject({
      actorType: 'user',
      actorId: user.id,
      targetUserId: user.id,
      organizationId: user.organizationId,
      occurredAt: expect.any(String),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const byOrganization = await t.http
      .get(`/api/audit?organizationId=${user.organizationId}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(byOrganization.body.total).toBe(2);
    // a wrong password's event never holds the password
    expect(JSON.stringify(byUser.body)).not.toContain('wrong password');
  });

  it('refuses bad filters with 400', async () => {
    for (const query of ['userId=not-a-uuid', 'page=0', 'page=abc', 'unknown=1']) {
      await t.http.get(`/api/audit?${query}`).set('Authorization', `Bearer ${token}`).expect(400);
    }
  });

  it.each([
    [
      'UPDATE',
      `UPDATE audit_events SET action = 'edited' WHERE id = (SELECT min(id) FROM audit_events)`,
    ],
    ['DELETE', 'DELETE FROM audit_events WHERE id = (SELECT min(id) FROM audit_events)'],
    ['TRUNCATE', 'TRUNCATE audit_events'],
  ])('the database itself refuses %s on audit_events', async (_op, sql) => {
    const before = await auditCount(t.dataSource);
    await expect(t.dataSource.query(sql)).rejects.toThrow(/append-only/);
    expect(await auditCount(t.dataSource)).toBeGreaterThanOrEqual(before);
    const [first] = await t.dataSource.query('SELECT action FROM audit_events ORDER BY id LIMIT 1');
    expect(first.action).not.toBe('edited');
  });
});

// Tampering needs a database of its own: the run's shared database must keep a valid chain.
describe('a tampered audit chain', () => {
  let scratch: ScratchDatabase;
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    scratch = await createScratchDatabase('tamper');
    t = await startTestApp({ DATABASE_URL: scratch.url });
    token = await agentToken(t);
    for (let i = 0; i < 3; i += 1) {
      const user = await makeUser(t.dataSource);
      await signIn(t.http, user.email);
    }
  });
  afterAll(async () => {
    await t?.close();
    await scratch?.drop();
  });

  async function verify() {
    const response = await t.http
      .get('/api/audit/verify')
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    return response.body as { ok: boolean; events: number; brokenAt?: string };
  }

  it('is detected at the edited row, by the API and by `cli audit:verify`', async () => {
    const before = await verify();
    expect(before).toEqual({ ok: true, events: 4 });
    const ok = await runCli(['audit:verify'], { env: { DATABASE_URL: scratch.url } });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok: 4 event/);

    const [second] = await t.dataSource.query(
      'SELECT id FROM audit_events ORDER BY id OFFSET 1 LIMIT 1',
    );
    // only the table owner can switch the guard off, as an attacker with database access might
    await t.dataSource.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await t.dataSource.query(`UPDATE audit_events SET data = '{"ip":"10.9.9.9"}' WHERE id = $1`, [
      second.id,
    ]);
    await t.dataSource.query('ALTER TABLE audit_events ENABLE TRIGGER USER');

    expect(await verify()).toEqual({ ok: false, events: 2, brokenAt: String(second.id) });
    const broken = await runCli(['audit:verify'], { env: { DATABASE_URL: scratch.url } });
    expect(broken.code).toBe(1);
    expect(broken.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`BROKEN at event ${second.id}\\b`)),
    ]);
  });

  it('detects a removed row too', async () => {
    await t.dataSource.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    // restore nothing: remove the row after the edited one as well
    const [fourth] = await t.dataSource.query(
      'SELECT id FROM audit_events ORDER BY id OFFSET 3 LIMIT 1',
    );
    await t.dataSource.query('DELETE FROM audit_events WHERE id = $1', [fourth.id]);
    await t.dataSource.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    const result = await verify();
    expect(result.ok).toBe(false);
  });
});
