import { createHash } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditSequencer } from '../../src/audit/audit-sequencer';
import { AuditService } from '../../src/audit/audit.service';
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
    // events get their hash when the sequencer integrates them (within ~100 ms); flush it
    await t.app.get(AuditSequencer).flush();
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

/**
 * The chain as an independent reading of docs/architecture.md computes it: SHA-256 of the JSON
 * array [prev hash, ISO time, actor type, actor id, action, target user, organization, subject,
 * data with object keys sorted], in seq order from 64 zeros.
 */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

interface ChainRow {
  id: string;
  seq: string | null;
  prev_hash: string | null;
  hash: string | null;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_user_id: string | null;
  organization_id: string | null;
  subject_id: string | null;
  data: unknown;
}

function expectValidChain(rows: ChainRow[]): void {
  let prev = '0'.repeat(64);
  rows.forEach((row, index) => {
    expect(row.seq).toBe(String(index + 1));
    expect(row.prev_hash).toBe(prev);
    const payload = JSON.stringify([
      prev,
      row.occurred_at.toISOString(),
      row.actor_type,
      row.actor_id,
      row.action,
      row.target_user_id,
      row.organization_id,
      row.subject_id,
      sortedKeys(row.data),
    ]);
    expect(row.hash).toBe(createHash('sha256').update(payload).digest('hex'));
    prev = row.hash as string;
  });
}

// Writers never queue behind each other: events are inserted unsequenced, one sequencer chains them.
describe('the sequenced audit chain', () => {
  let scratch: ScratchDatabase;
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    scratch = await createScratchDatabase('sequencer');
    // two processes' worth of writers and sequencers on one database
    first = await startTestApp({ DATABASE_URL: scratch.url });
    second = await startTestApp({ DATABASE_URL: scratch.url });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await scratch?.drop();
  });

  const chain = async (): Promise<ChainRow[]> =>
    first.dataSource.query('SELECT * FROM audit_events ORDER BY seq NULLS LAST, id');

  it('a writer commits while the sequencer is busy; its event is chained afterwards', async () => {
    // hold the sequencer's lock as a sequencer in the middle of a batch would
    const holder = new Client({ connectionString: scratch.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(727274002)');
      await first.app.get(AuditService).record({
        actor: { type: 'system' },
        action: 'test.while_sequencer_busy',
        data: { n: 1 },
      });
      const [row] = await first.dataSource.query(
        `SELECT seq, prev_hash, hash FROM audit_events WHERE action = 'test.while_sequencer_busy'`,
      );
      expect(row).toEqual({ seq: null, prev_hash: null, hash: null });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await first.app.get(AuditSequencer).flush();
    const [row] = await first.dataSource.query(
      `SELECT seq, hash FROM audit_events WHERE action = 'test.while_sequencer_busy'`,
    );
    expect(row.seq).not.toBeNull();
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('events of two concurrent writers are all sequenced exactly once, in one valid chain', async () => {
    const write = (t: TestApp, writer: string) =>
      Promise.all(
        Array.from({ length: 150 }, (_, n) =>
          t.dataSource.transaction((tx) =>
            t.app.get(AuditService).record(
              {
                actor: { type: 'system' },
                action: 'test.concurrent',
                subjectId: `${writer}-${n}`,
                data: { writer, n, nested: { z: n, a: writer } },
              },
              tx,
            ),
          ),
        ),
      );
    // both processes' sequencers run (every 100 ms) while both write
    await Promise.all([write(first, 'first'), write(second, 'second')]);
    await Promise.all([
      first.app.get(AuditSequencer).flush(),
      second.app.get(AuditSequencer).flush(),
    ]);

    const rows = await chain();
    expect(rows.every((row) => row.seq !== null)).toBe(true);
    const subjects = rows
      .filter((row) => row.action === 'test.concurrent')
      .map((r) => r.subject_id);
    expect(subjects).toHaveLength(300);
    expect(new Set(subjects).size).toBe(300);
    expectValidChain(rows);

    const verified = await first.app.get(AuditService).verify();
    expect(verified).toEqual({ ok: true, events: rows.length });
  });

  it('names a tampered sequenced event, also when a row lost its place in the chain', async () => {
    const rows = await chain();
    const victim = rows[10];
    await first.dataSource.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await first.dataSource.query(`UPDATE audit_events SET data = '{"n":-1}' WHERE id = $1`, [
      victim.id,
    ]);
    await first.dataSource.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    expect(await first.app.get(AuditService).verify()).toEqual({
      ok: false,
      events: 11,
      brokenAt: String(victim.id),
    });

    // put the data back, then take an event out of the sequence (as if it never was chained)
    await first.dataSource.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    await first.dataSource.query(`UPDATE audit_events SET data = $2 WHERE id = $1`, [
      victim.id,
      JSON.stringify(victim.data),
    ]);
    expect((await first.app.get(AuditService).verify()).ok).toBe(true);
    const removed = rows[20];
    await first.dataSource.query(
      'UPDATE audit_events SET seq = NULL, prev_hash = NULL, hash = NULL WHERE id = $1',
      [removed.id],
    );
    await first.dataSource.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    // the sequencer would chain it again at the end; the gap it left is what verify names
    expect(await first.app.get(AuditService).verify()).toEqual({
      ok: false,
      events: 21,
      brokenAt: String(rows[21].id),
    });
  });

  it("the append-only guard lets only the sequencer's one-time chaining through", async () => {
    await first.app.get(AuditService).record({ actor: { type: 'system' }, action: 'test.guard' });
    const [row] = await first.dataSource.query(
      `SELECT id FROM audit_events WHERE action = 'test.guard'`,
    );
    // an unsequenced event's content cannot change either
    const holder = new Client({ connectionString: scratch.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(727274002)');
      await expect(
        first.dataSource.query(
          `UPDATE audit_events SET action = 'edited', seq = 999999, prev_hash = 'x', hash = 'y'
            WHERE id = $1`,
          [row.id],
        ),
      ).rejects.toThrow(/append-only/);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await first.app.get(AuditSequencer).flush();
    await expect(
      first.dataSource.query(`UPDATE audit_events SET hash = 'y' WHERE id = $1`, [row.id]),
    ).rejects.toThrow(/append-only/);
  });
});
