import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecurityEvent } from '../../src/events/security-event.entity';
import { SecurityEventService } from '../../src/events/security-event.service';
import { makeUser } from '../helpers/factories';
import { OwnRedis } from '../helpers/own-services';
import {
  Clinic,
  makeAgent,
  makeClinic,
  makeMember,
  RecoveryWorld,
  sendRecoveryMail,
  mailsTo,
  startRecoveryWorld,
} from '../helpers/recovery';
import { runCli } from '../helpers/run-cli';
import { eventually } from '../helpers/smtp-sink';
import { startTestApp, TestApp } from '../helpers/test-app';
import { bearer, currentStep, enrollAtSignIn, signInWithTotp, totpAt } from '../helpers/two-factor';

/** The receiver's signing secret, written here: the test verifies with these bytes, not the app's. */
const SECRET_BYTES = Buffer.from('a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f50617', 'hex');
const SECRET = `whsec_${SECRET_BYTES.toString('base64')}`;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  answered: number;
}

/**
 * A real HTTP receiver on a free loopback port. It answers 500 to the first `failFirst` attempts
 * of each webhook-id, then 204, and keeps every request.
 */
class Receiver {
  readonly requests: Received[] = [];
  failFirst = 0;
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const earlier = this.requests.filter((r) => r.headers['webhook-id'] === id).length;
        const answered = earlier < this.failFirst ? 500 : 204;
        this.requests.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
          answered,
        });
        res.statusCode = answered;
        res.end(answered === 500 ? 'receiver is down' : undefined);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/hooks/security`;
  }

  about(userId: string): Received[] {
    return this.requests.filter((r) => (JSON.parse(r.body) as Body).data.userId === userId);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

interface Body {
  type: string;
  timestamp: string;
  data: {
    eventId: string;
    organizationId: string | null;
    userId: string;
    requestId?: string;
    actor: { type: string; id?: string };
  };
}

/** Standard Webhooks verification written out with node:crypto, independent of the package. */
function verifySignature(received: Received): boolean {
  const id = String(received.headers['webhook-id']);
  const timestamp = String(received.headers['webhook-timestamp']);
  const expected = createHmac('sha256', SECRET_BYTES)
    .update(`${id}.${timestamp}.${received.body}`)
    .digest();
  return String(received.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return (
        version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
      );
    });
}

function expectExactShape(body: Body): void {
  expect(Object.keys(body).sort()).toEqual(['data', 'timestamp', 'type']);
  const keys = Object.keys(body.data).sort();
  expect(keys).toEqual(
    [
      'actor',
      'eventId',
      'organizationId',
      'userId',
      ...('requestId' in body.data ? ['requestId'] : []),
    ].sort(),
  );
  expect(Object.keys(body.data.actor).every((key) => key === 'type' || key === 'id')).toBe(true);
  expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
}

function eventRow(t: TestApp, id: string): Promise<SecurityEvent | null> {
  return t.dataSource.getRepository(SecurityEvent).findOneBy({ id });
}

describe('security events for other systems (real HTTP receiver, Standard Webhooks)', () => {
  let receiver: Receiver;
  let world: RecoveryWorld;
  let clinic: Clinic;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    world = await startRecoveryWorld({
      EVENTS_WEBHOOK_URL: receiver.url,
      EVENTS_WEBHOOK_SECRET: SECRET,
    });
    clinic = await makeClinic(world);
  });
  afterAll(async () => {
    await world?.close();
    await receiver?.close();
  });

  it('retries a failed delivery with the same webhook-id, a fresh timestamp and a valid signature each time', async () => {
    receiver.failFirst = 2;
    const t = world.t;
    const organizationId = clinic.organizationId;
    const user = await makeUser(t.dataSource, { organizationId });
    await t.dataSource.query(
      `INSERT INTO two_factor_factors (user_id, status, reset_at) VALUES ($1, 'reset_required', now())`,
      [user.id],
    );
    const enrolled = await enrollAtSignIn(t.http, user.email);

    const attempts = await eventually(() => {
      const got = receiver.about(user.id);
      return got.length >= 3 ? got : undefined;
    }, 'three attempts of the two_factor.enabled event');
    expect(attempts.map((a) => a.answered)).toEqual([500, 500, 204]);
    const ids = new Set(attempts.map((a) => a.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const timestamps = attempts.map((a) => Number(a.headers['webhook-timestamp']));
    for (let i = 0; i < attempts.length; i += 1) {
      expect(verifySignature(attempts[i])).toBe(true);
      // each attempt is signed when it is sent, not when the event happened
      expect(Math.abs(timestamps[i] - attempts[i].receivedAt / 1000)).toBeLessThan(3);
      if (i > 0) expect(timestamps[i]).toBeGreaterThan(timestamps[i - 1]);
      expect(attempts[i].body).toBe(attempts[0].body);
      expect(attempts[i].headers['content-type']).toBe('application/json');
    }
    // a tampered body fails the same independent check
    expect(
      verifySignature({ ...attempts[2], body: attempts[2].body.replace('enabled', 'reset') }),
    ).toBe(false);

    const body = JSON.parse(attempts[0].body) as Body;
    expectExactShape(body);
    expect(body).toEqual({
      type: 'two_factor.enabled',
      timestamp: expect.any(String),
      data: {
        eventId: attempts[0].headers['webhook-id'],
        organizationId,
        userId: user.id,
        actor: { type: 'user', id: user.id },
      },
    });
    // nothing secret: not the TOTP secret, the password, the session token nor the billing record
    for (const value of [
      enrolled.secret,
      user.password,
      enrolled.token,
      clinic.last4,
      clinic.holderName,
    ]) {
      expect(attempts[0].body).not.toContain(value);
    }
    const row = await eventually(async () => {
      const found = await eventRow(t, body.data.eventId);
      return found?.status === 'delivered' ? found : undefined;
    }, 'the row to be delivered');
    expect(row).toMatchObject({ attempts: 3, lastStatus: 204, lastError: null });
    receiver.failFirst = 0;
  }, 60_000);

  it('lists deliveries for agents with attempts and last error, and keeps others out', async () => {
    receiver.failFirst = 1_000; // this one keeps failing
    const t = world.t;
    const user = await makeUser(t.dataSource, { organizationId: clinic.organizationId });
    const id = await t.dataSource.transaction((tx) =>
      t.app.get(SecurityEventService).record(tx, {
        type: 'recovery.cancelled',
        organizationId: clinic.organizationId,
        userId: user.id,
        requestId: randomUUID(),
        actor: { type: 'mailbox' },
      }),
    );
    await eventually(() => receiver.about(user.id).length >= 2, 'two failed attempts');
    const agent = await makeAgent(world);
    const listed = await eventually(async () => {
      const response = await t.http
        .get('/api/events/deliveries?status=pending')
        .set(...bearer(agent.token))
        .expect(200);
      const page = response.body as {
        items: { id: string; attempts: number }[];
        total: number;
        pageSize: number;
      };
      const item = page.items.find((entry) => entry.id === id);
      return item !== undefined && item.attempts >= 2 ? page : undefined;
    }, 'the pending delivery with its attempts');
    expect(listed.pageSize).toBe(50);
    expect(listed.items.find((entry) => entry.id === id)).toMatchObject({
      type: 'recovery.cancelled',
      status: 'pending',
      lastStatus: 500,
      lastError: 'HTTP 500',
      userId: user.id,
    });
    const delivered = await t.http
      .get('/api/events/deliveries?status=delivered')
      .set(...bearer(agent.token))
      .expect(200);
    expect(
      (delivered.body as { items: { status: string }[] }).items.every(
        (i) => i.status === 'delivered',
      ),
    ).toBe(true);
    await t.http
      .get('/api/events/deliveries?status=lost')
      .set(...bearer(agent.token))
      .expect(400);
    await t.http
      .get('/api/events/deliveries?page=0')
      .set(...bearer(agent.token))
      .expect(400);
    await t.http.get('/api/events/deliveries').expect(401);
    const member = await makeMember(world, clinic, 'admin', { twoFactor: false });
    const login = await t.http
      .post('/api/auth/login')
      .send({ email: member.email, password: member.password })
      .expect(200);
    await t.http
      .get('/api/events/deliveries')
      .set(...bearer((login.body as { accessToken: string }).accessToken))
      .expect(403);

    // the operator re-queues it once the receiver is fixed: same webhook-id, delivered
    receiver.failFirst = 0;
    const before = receiver.about(user.id).length;
    await t.dataSource.query(`UPDATE security_events SET status = 'failed' WHERE id = $1`, [id]);
    const cli = await runCli(['events:redeliver', id as string], {
      env: {
        REDIS_PREFIX: t.redisPrefix,
        EVENTS_WEBHOOK_URL: receiver.url,
        EVENTS_WEBHOOK_SECRET: SECRET,
      },
    });
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain(`Queued security event ${id}`);
    expect(cli.code).toBe(0);
    const delivered2 = await eventually(async () => {
      const found = await eventRow(t, id as string);
      return found?.status === 'delivered' ? found : undefined;
    }, 'the redelivered event');
    expect(receiver.about(user.id).length).toBeGreaterThan(before);
    const last = receiver.about(user.id).at(-1) as Received;
    expect(last.headers['webhook-id']).toBe(id);
    expect(verifySignature(last)).toBe(true);
    expect(delivered2.lastError).toBeNull();
    const unknown = await runCli(['events:redeliver', randomUUID()], {
      env: {
        REDIS_PREFIX: t.redisPrefix,
        EVENTS_WEBHOOK_URL: receiver.url,
        EVENTS_WEBHOOK_SECRET: SECRET,
      },
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No security event');
    const bad = await runCli(['events:redeliver', 'not-an-id']);
    expect(bad.code).toBe(2);
  }, 60_000);

  it('writes the event in the transaction of the change: a rolled-back change leaves none', async () => {
    const t = world.t;
    const user = await makeUser(t.dataSource, { organizationId: clinic.organizationId });
    let id: string | null = null;
    await expect(
      t.dataSource.transaction(async (tx) => {
        id = await t.app.get(SecurityEventService).record(tx, {
          type: 'two_factor.reset',
          organizationId: clinic.organizationId,
          userId: user.id,
          actor: { type: 'system' },
        });
        // not visible outside the transaction before it commits
        expect(await eventRow(t, id as string)).toBeNull();
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(id).not.toBeNull();
    expect(await eventRow(t, id as unknown as string)).toBeNull();
  });

  it('raises two_factor.reset for an admin reset, with the admin as actor, and none for a refused one', async () => {
    const t = world.t;
    const admin = await makeMember(world, clinic, 'admin');
    const target = await makeMember(world, clinic);
    const token = await signInWithTotp(t.http, admin.email, admin.secret as string, currentStep());
    await t.http
      .post(`/api/org/users/${target.id}/2fa/reset`)
      .set(...bearer(token))
      .send({ code: '000000' })
      .expect(403);
    await t.http
      .post(`/api/org/users/${target.id}/2fa/reset`)
      .set(...bearer(token))
      .send({ code: totpAt(admin.secret as string, currentStep() + 1) })
      .expect(200);
    const rows: { type: string; actor_type: string; actor_id: string | null }[] =
      await t.dataSource.query(
        `SELECT type, actor_type, actor_id FROM security_events WHERE user_id = $1`,
        [target.id],
      );
    expect(rows).toEqual([{ type: 'two_factor.reset', actor_type: 'user', actor_id: admin.id }]);
    const [received] = await eventually(() => {
      const got = receiver.about(target.id);
      return got.length >= 1 ? got : undefined;
    }, 'the reset event');
    const body = JSON.parse(received.body) as Body;
    expectExactShape(body);
    expect(body.data).toEqual({
      eventId: received.headers['webhook-id'],
      organizationId: clinic.organizationId,
      userId: target.id,
      actor: { type: 'user', id: admin.id },
    });
  });

  it('raises recovery.requested, recovery.approved, two_factor.reset and recovery.completed along a recovery', async () => {
    const t = world.t;
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(
      world,
      clinic,
      member.email,
      `Hello, I lost my phone. My card ends in ${clinic.last4}.\n\nRegards`,
    );
    const requestId = sent.requestId as string;
    const agent = await makeAgent(world);
    await t.http
      .post(`/api/recovery/requests/${requestId}/approve`)
      .set(...bearer(agent.token))
      .send({})
      .expect(200);
    const bodies = await eventually(() => {
      const got = receiver
        .about(member.id)
        .filter((r) => r.answered === 204)
        .map((r) => JSON.parse(r.body) as Body);
      return got.length >= 4 ? got : undefined;
    }, 'four recovery events');
    const byType = new Map(bodies.map((b) => [b.type, b]));
    expect([...byType.keys()].sort()).toEqual(
      ['recovery.approved', 'recovery.completed', 'recovery.requested', 'two_factor.reset'].sort(),
    );
    for (const body of bodies) {
      expectExactShape(body);
      expect(body.data).toMatchObject({
        organizationId: clinic.organizationId,
        userId: member.id,
        requestId,
      });
      for (const value of [clinic.last4, clinic.holderName, member.secret as string]) {
        expect(JSON.stringify(body)).not.toContain(value);
      }
    }
    expect(byType.get('recovery.requested')?.data.actor).toEqual({ type: 'system' });
    expect(byType.get('recovery.approved')?.data.actor).toEqual({ type: 'user', id: agent.id });
    expect(byType.get('two_factor.reset')?.data.actor).toEqual({ type: 'system' });
  }, 60_000);

  it('raises security.reported and recovery.cancelled when the holder says "this wasn\'t me"', async () => {
    const t = world.t;
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(
      world,
      clinic,
      member.email,
      `Hello, I lost my phone. My card ends in ${clinic.last4}.\n\nRegards`,
    );
    const requestId = sent.requestId as string;
    // the link as delivered over SMTP in the "request received" mail
    const [received] = await mailsTo(world.sink, member.email);
    const link = /\/security\/report\/([A-Za-z0-9_-]+)/.exec(received.parsed.text ?? '');
    expect(link).not.toBeNull();
    const token = (link as RegExpExecArray)[1];
    await t.http.post('/api/security/report').send({ token }).expect(200);
    const bodies = await eventually(() => {
      const got = receiver
        .about(member.id)
        .filter((r) => r.answered === 204 && verifySignature(r))
        .map((r) => JSON.parse(r.body) as Body);
      const types = new Set(got.map((b) => b.type));
      return types.has('security.reported') && types.has('recovery.cancelled') ? got : undefined;
    }, 'security.reported and recovery.cancelled');
    const reported = bodies.find((b) => b.type === 'security.reported') as Body;
    expectExactShape(reported);
    expect(reported.data).toMatchObject({
      organizationId: clinic.organizationId,
      userId: member.id,
      requestId,
      actor: { type: 'mailbox' },
    });
    const cancelled = bodies.find((b) => b.type === 'recovery.cancelled') as Body;
    expect(cancelled.data).toMatchObject({ requestId, actor: { type: 'mailbox' } });
    for (const body of bodies) expect(JSON.stringify(body)).not.toContain(token);
  }, 60_000);
});

describe('security events while Redis is down', () => {
  let receiver: Receiver;
  let redis: OwnRedis;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await new Receiver().start();
    redis = await OwnRedis.start();
    t = await startTestApp({
      REDIS_URL: redis.url,
      EVENTS_WEBHOOK_URL: receiver.url,
      EVENTS_WEBHOOK_SECRET: SECRET,
    });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
    await receiver?.close();
  });

  it('keeps the committed event in the outbox and delivers it once Redis is back (the sweeper)', async () => {
    await redis.stop();
    const user = await makeUser(t.dataSource);
    const id = await t.dataSource.transaction((tx) =>
      t.app.get(SecurityEventService).record(tx, {
        type: 'two_factor.reset',
        organizationId: user.organizationId,
        userId: user.id,
        actor: { type: 'user', id: randomUUID() },
      }),
    );
    expect(await eventRow(t, id as string)).toMatchObject({ status: 'pending', attempts: 0 });
    // the sweeper takes rows pending for 30 s or more; age this one instead of waiting
    await t.dataSource.query(
      `UPDATE security_events SET created_at = now() - interval '5 minutes' WHERE id = $1`,
      [id],
    );
    await redis.start(); // empty: no job, no scheduler
    const row = await eventually(
      async () => {
        const found = await eventRow(t, id as string);
        return found?.status === 'delivered' ? found : undefined;
      },
      'the sweeper to deliver the stored event',
      80_000,
    );
    expect(row.attempts).toBe(1);
    const got = receiver.about(user.id);
    expect(got).toHaveLength(1);
    expect(got[0].headers['webhook-id']).toBe(id);
    expect(verifySignature(got[0])).toBe(true);
  }, 120_000);
});
