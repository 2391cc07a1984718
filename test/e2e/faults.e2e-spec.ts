/**
 * Faults, with nothing lost: each test breaks a real server of its own (an SMTP relay, a
 * PostgreSQL or Redis instance on a free port, the app's own process) while traffic flows, and
 * then counts: every message acknowledged with 250 is decided exactly once, every mail is
 * delivered exactly once, every reset is whole or not at all.
 */
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { MAIL_ATTEMPTS } from '../../src/mail/mail.queue';
import { MailService } from '../../src/mail/mail.service';
import { OutboundMail } from '../../src/mail/outbound-mail.entity';
import { QueueName } from '../../src/queue/queue-names';
import { redisOptions } from '../../src/queue/redis-options';
import { RecoveryResetQueue } from '../../src/recovery/approval/recovery-reset.queue';
import { SmtpIngressServer } from '../../src/recovery/inbound-email/smtp-ingress.server';
import { runMigrations } from '../../src/database/data-source';
import { makeUser, signIn, uniqueEmail } from '../helpers/factories';
import {
  buildMessage,
  expectProcessedOnce,
  SmtpOutcome,
  TestDnsServer,
  trySendSmtp,
  waitForFinal,
} from '../helpers/inbound-mail';
import { freePort, OwnPostgres, OwnRedis } from '../helpers/own-services';
import {
  Clinic,
  makeClinic,
  makeMember,
  Member,
  RecoveryWorld,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';
import { eventually, SmtpSink } from '../helpers/smtp-sink';
import { openRunDatabase, spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import { startTestApp, testEnv, TestApp } from '../helpers/test-app';

const SUPPORT = 'support@recovery-desk.test';
const SENDER = 'cia@spf.test';

function deliver(port: number): Promise<SmtpOutcome> {
  return trySendSmtp(port, buildMessage({ from: SENDER }), { from: SENDER, to: [SUPPORT] });
}

/** Runs `step` in `lanes` parallel loops until stop() is called; returns what each step gave. */
function traffic<T>(lanes: number, step: () => Promise<T>) {
  const results: T[] = [];
  let running = true;
  const loops = Array.from({ length: lanes }, async () => {
    while (running) results.push(await step());
  });
  return {
    results,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

function accepted(outcomes: SmtpOutcome[]): string[] {
  return outcomes.filter((o) => o.code === 250).map((o) => o.id as string);
}

/** The figures of each fault, printed once at the end for README "Reliability". */
const figures: Record<string, unknown> = {};
afterAll(() => {
  process.stdout.write(`fault figures: ${JSON.stringify(figures, null, 2)}\n`);
});

describe('faults, with nothing lost', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await TestDnsServer.start();
    dns.publishDomain('spf.test', { spf: 'v=spf1 ip4:127.0.0.1 -all', dmarc: 'v=DMARC1; p=none' });
  });
  afterAll(async () => {
    await dns?.close();
  });

  describe('the outbound SMTP relay down, then back', () => {
    let sink: SmtpSink;
    let t: TestApp;
    beforeAll(async () => {
      sink = await new SmtpSink().start();
      t = await startTestApp({ MAIL_TRANSPORT: sink.url });
    });
    afterAll(async () => {
      await t?.close();
      await sink?.close();
    });

    function row(id: string): Promise<OutboundMail | null> {
      return t.dataSource.getRepository(OutboundMail).findOneBy({ id });
    }

    function rowBecomes(id: string, status: OutboundMail['status']): Promise<OutboundMail> {
      return eventually(
        async () => {
          const current = await row(id);
          return current?.status === status ? current : undefined;
        },
        `mail ${id} to be ${status}`,
        60_000,
      );
    }

    it('retries with growing back-off, shows failed only once the retries are spent, and delivers once when it returns', async () => {
      await sink.stop();
      const mail = t.app.get(MailService);
      const enqueue = (to: string) =>
        mail.enqueue({
          template: 'two_factor_enabled',
          to,
          locale: 'en',
          vars: {
            name: 'Kim',
            reportUrl: 'http://localhost:3000/security/report/t0ken-for-a-test',
          },
        });
      const waiting = uniqueEmail('relay-down');
      const exhausted = uniqueEmail('relay-exhausted');
      const waitingId = await enqueue(waiting);
      const exhaustedId = await enqueue(exhausted);

      // each failed attempt is counted on the row, which stays pending (not failed) meanwhile
      const seen: { attempts: number; at: number }[] = [];
      await eventually(
        async () => {
          const current = await row(waitingId);
          expect(current?.status).toBe('pending');
          const attempts = current?.attempts ?? 0;
          if (attempts > (seen.at(-1)?.attempts ?? 0)) seen.push({ attempts, at: Date.now() });
          if (attempts === 1) {
            // as if this one had already been retried all but once
            await t.dataSource.query(
              `UPDATE outbound_mails SET attempts = $2 WHERE id = $1 AND attempts < $2`,
              [exhaustedId, MAIL_ATTEMPTS - 1],
            );
          }
          // the third attempt has ended (refused, lease given back), not merely begun: a relay
          // started while it is still connecting would take the mail on attempt 3
          return attempts >= 3 && current?.lockedUntil === null;
        },
        'three refused attempts',
        60_000,
      );
      const stalled = await row(waitingId);
      expect(stalled).toMatchObject({ status: 'pending', attempts: 3 });
      expect(stalled?.lastError).toMatch(/ECONNREFUSED|ECONNECTION/);
      // exponential back-off (5 s, then 10 s, each at least 80 % of it with jitter)
      const gaps = seen.slice(1).map((s, i) => s.at - seen[i].at);
      expect(gaps[gaps.length - 2]).toBeGreaterThanOrEqual(4000 - 500);
      expect(gaps[gaps.length - 1]).toBeGreaterThanOrEqual(8000 - 500);

      // the other one has spent its last attempt: now, and only now, it shows as failed
      const failed = await rowBecomes(exhaustedId, 'failed');
      expect(failed.attempts).toBe(MAIL_ATTEMPTS);
      expect(failed.vars).toBeNull();

      await sink.start();
      const sent = await rowBecomes(waitingId, 'sent');
      expect(sent.attempts).toBe(4);
      expect(sink.to(waiting)).toHaveLength(1);
      expect(sink.to(waiting)[0].parsed.messageId).toBe(sent.messageId);
      expect(sink.to(exhausted)).toHaveLength(0);
      figures.smtpRelayDown = { refusedAttempts: 3, deliveredAfter: 4, copies: 1, gaps };
    }, 120_000);
  });

  describe('PostgreSQL restarted in the middle of traffic', () => {
    let pg: OwnPostgres;
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      pg = await OwnPostgres.start();
      const url = pg.url('rd_faults_restart');
      await runMigrations({ databaseUrl: url });
      t = await startTestApp({ DATABASE_URL: url, DNS_SERVERS: dns.address });
      port = t.app.get(SmtpIngressServer).port as number;
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await pg?.destroy();
    });

    it('answers 451 and 503 (never 250, 2xx or 500) while it cannot commit, and decides every 250 exactly once after', async () => {
      const user = await makeUser(t.dataSource);
      const token = await signIn(t.http, user.email);
      const routes = {
        health: () => t.http.get('/health'),
        signIn: () =>
          t.http.post('/api/auth/login').send({ email: user.email, password: user.password }),
        me: () => t.http.get('/api/me').set('Authorization', `Bearer ${token}`),
        // a server-rendered page reads the session from PostgreSQL too
        page: () => t.http.get('/settings').set('Cookie', `rd_session=${token}`),
      };
      let phase: 'up' | 'down' | 'back' = 'up';
      const smtp = traffic(3, async () => ({ phase, ...(await deliver(port)) }));
      const http = traffic(1, async () => {
        const started = phase;
        const statuses: Record<string, number> = {};
        for (const [name, call] of Object.entries(routes)) statuses[name] = (await call()).status;
        return { phase: started, statuses };
      });
      await eventually(
        () => accepted(smtp.results).length >= 5 && http.results.length >= 1,
        'traffic before the outage',
      );

      await pg.stop();
      phase = 'down';
      const during = () => smtp.results.filter((r) => r.phase === 'down');
      await eventually(
        () =>
          during().filter((r) => r.code === 451).length >= 5 &&
          http.results.filter((r) => r.phase === 'down').length >= 2,
        'refusals while PostgreSQL is down',
      );
      await pg.start();
      phase = 'back';
      await eventually(
        () =>
          accepted(smtp.results.filter((r) => r.phase === 'back')).length >= 5 &&
          http.results.some((r) => r.phase === 'back' && r.statuses.health === 200),
        'traffic after PostgreSQL is back',
        60_000,
      );
      await Promise.all([smtp.stop(), http.stop()]);

      // only the codes that tell the truth: stored (250) or try again (451); 200 or 503
      expect(new Set(smtp.results.map((r) => r.code))).toEqual(new Set([250, 451]));
      for (const { statuses } of http.results) {
        for (const status of Object.values(statuses)) expect([200, 503]).toContain(status);
      }
      expect(Object.values(http.results[0].statuses)).toEqual([200, 200, 200, 200]);
      const refusedHttp = http.results.filter((r) => r.phase === 'down');
      for (const name of Object.keys(routes)) {
        expect(refusedHttp.some((r) => r.statuses[name] === 503)).toBe(true);
      }

      const ids = accepted(smtp.results);
      await waitForFinal(t.dataSource, ids, 120_000);
      await expectProcessedOnce(t.dataSource, ids);
      const [{ rows }] = await t.dataSource.query<{ rows: number }[]>(
        `SELECT count(*)::int AS rows FROM inbound_messages`,
      );
      expect(rows).toBeGreaterThanOrEqual(ids.length);
      figures.postgresRestart = {
        smtpAccepted: ids.length,
        smtpRefused451: smtp.results.filter((r) => r.code === 451).length,
        storedRows: rows,
        processedOnce: ids.length,
        http503: refusedHttp.flatMap((r) => Object.values(r.statuses)).filter((s) => s === 503)
          .length,
      };
    }, 240_000);
  });

  describe('SIGTERM in the middle of a burst', () => {
    let world: RecoveryWorld;
    let app: SpawnedApp | undefined;
    let db: DataSource;
    afterAll(async () => {
      if (app !== undefined && app.child.exitCode === null) {
        app.child.kill('SIGKILL');
        await app.exited;
      }
      dns.delayMs = 0;
      await world?.sink.close();
      await world?.dns.close();
    });

    it('drains or leaves work for after the restart: every 250 decided once, every reset whole', async () => {
      world = await startRecoveryWorld();
      world.dns.publishDomain('spf.test', { spf: 'v=spf1 ip4:127.0.0.1 -all' });
      const clinic = await makeClinic(world);
      const members = await Promise.all(Array.from({ length: 8 }, () => makeMember(world, clinic)));
      const requestIds = await openRequests(world, clinic, members);
      // the in-process app steps aside: from here on only the real process works on the database
      await world.t.close();
      db = await openRunDatabase();

      const env = testEnv({
        SMTP_PORT: String(await freePort()),
        HTTP_PORT: String(await freePort()),
        DNS_SERVERS: world.dns.address,
        MAIL_TRANSPORT: world.sink.url,
      });
      app = spawnApp(env);
      await waitForOutput(app, /Recovery Desk running/, 90_000);
      const port = Number(env.SMTP_PORT);

      // approved (as the agents would), and their reset jobs queued; a slow DNS keeps the
      // inbound worker busy, so the signal lands with work in flight and work waiting
      await db.query(
        `UPDATE recovery_requests SET status = 'approved', decided_at = now(), executes_at = now()
          WHERE id = ANY($1)`,
        [requestIds],
      );
      world.dns.delayMs = 150;
      const smtp = traffic(3, () => deliver(port));
      await eventually(() => accepted(smtp.results).length >= 12, 'a burst under way');
      await scheduleResets(env, requestIds);
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      await smtp.stop();

      // at rest: each reset is whole or not begun — never the request without the factor
      const atStop = await resetStates(db, requestIds);
      for (const state of atStop) expect(state.factor === 'reset_required').toBe(state.completed);
      const ids = accepted(smtp.results);
      const leftStored = (await inboundStates(db, ids)).filter((s) => s === 'stored').length;
      // SMTP said 250 (stored), or the connection was refused/closed (0) or 421: nothing else
      for (const { code } of smtp.results) expect([0, 250, 421]).toContain(code);

      world.dns.delayMs = 0;
      app = spawnApp(env);
      await waitForOutput(app, /Recovery Desk running/, 90_000);
      await waitForFinal(db, ids, 120_000);
      await expectProcessedOnce(db, ids);
      const after = await eventually(
        async () => {
          const states = await resetStates(db, requestIds);
          return states.every((s) => s.completed) ? states : undefined;
        },
        'every approved reset completed',
        90_000,
      );
      for (const state of after) {
        expect(state).toMatchObject({ factor: 'reset_required', completedEvents: 1, resets: 1 });
      }
      // and each holder hears of it once
      for (const member of members) {
        await eventually(
          () => approvedMails(world.sink, member.email) === 1,
          `the approval mail to ${member.email}`,
          90_000,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
      for (const member of members) expect(approvedMails(world.sink, member.email)).toBe(1);
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      await db.destroy();
      figures.sigterm = {
        smtpAccepted: ids.length,
        leftStoredAtStop: leftStored,
        processedOnce: ids.length,
        resets: requestIds.length,
        resetsDoneBeforeStop: atStop.filter((s) => s.completed).length,
        resetsWholeAfterRestart: after.length,
      };
    }, 300_000);
  });

  describe('Redis emptied while jobs are queued', () => {
    let redis: OwnRedis;
    let world: RecoveryWorld;
    beforeAll(async () => {
      redis = await OwnRedis.start();
      world = await startRecoveryWorld({ REDIS_URL: redis.url });
      world.dns.publishDomain('spf.test', { spf: 'v=spf1 ip4:127.0.0.1 -all' });
    });
    afterAll(async () => {
      await world?.close();
      await redis?.stop();
    });

    it('the sweepers queue everything again, and all of it completes exactly once', async () => {
      const { t, sink } = world;
      const clinic = await makeClinic(world);
      const members = await Promise.all(Array.from({ length: 4 }, () => makeMember(world, clinic)));
      // the relay is busy: the "request received" mails wait in Redis for their retry
      for (const member of members) sink.refuse(member.email, 1000);
      const requestIds = await openRequests(world, clinic, members);
      // approved, reset jobs waiting for their time
      await t.dataSource.query(
        `UPDATE recovery_requests SET status = 'approved', decided_at = now(),
                executes_at = now() + interval '3 seconds' WHERE id = ANY($1)`,
        [requestIds],
      );
      const resets = t.app.get(RecoveryResetQueue);
      for (const id of requestIds) await resets.schedule(id, new Date(Date.now() + 3000));
      // inbound mail waiting in the queue behind a slow DNS
      world.dns.delayMs = 300;
      const sent = await Promise.all(Array.from({ length: 16 }, () => deliver(world.smtpPort)));
      const ids = accepted(sent);
      expect(ids).toHaveLength(16);
      const queued = await queuedJobs(t);

      redis.flushAll();
      world.dns.delayMs = 0;
      for (const member of members) sink.refuse(member.email, 0);

      await waitForFinal(t.dataSource, ids, 120_000);
      await expectProcessedOnce(t.dataSource, ids);
      const after = await eventually(
        async () => {
          const states = await resetStates(t.dataSource, requestIds);
          return states.every((s) => s.completed) ? states : undefined;
        },
        'every reset completed',
        90_000,
      );
      for (const state of after) {
        expect(state).toMatchObject({ factor: 'reset_required', completedEvents: 1, resets: 1 });
      }
      // every mail of theirs sent, each exactly once (its Message-ID once in the relay)
      const mails = await eventually(
        async () => {
          const rows = await t.dataSource.query<{ status: string; message_id: string }[]>(
            `SELECT status, message_id FROM outbound_mails WHERE to_address = ANY($1)`,
            [members.map((member) => member.email)],
          );
          return rows.length >= members.length * 2 && rows.every((r) => r.status === 'sent')
            ? rows
            : undefined;
        },
        'every mail sent',
        120_000,
      );
      const delivered = members.flatMap((member) =>
        sink.to(member.email).map((mail) => mail.parsed.messageId),
      );
      expect(delivered.sort()).toEqual(mails.map((mail) => mail.message_id).sort());
      figures.redisFlush = {
        jobsInRedisAtFlush: queued,
        smtpAccepted: ids.length,
        processedOnce: ids.length,
        resetsCompletedOnce: after.length,
        mailsSentOnce: mails.length,
      };
    }, 300_000);
  });
});

/** Recovery mails from each member, through the real pipeline: the open requests' ids. */
async function openRequests(
  world: RecoveryWorld,
  clinic: Clinic,
  members: Member[],
): Promise<string[]> {
  const sent = await Promise.all(
    members.map((member) =>
      sendRecoveryMail(world, clinic, member.email, `Lost my phone. Card ends ${clinic.last4}.`),
    ),
  );
  for (const recovery of sent) expect(recovery.requestId).not.toBeNull();
  return sent.map((recovery) => recovery.requestId as string);
}

/** Queues the reset jobs of approved requests as the agent API does, on the app's Redis prefix. */
async function scheduleResets(env: Record<string, string>, requestIds: string[]): Promise<void> {
  const queue = new Queue(QueueName.recoveryReset, {
    connection: redisOptions(env.REDIS_URL),
    prefix: env.REDIS_PREFIX,
  });
  try {
    const producer = new RecoveryResetQueue(queue as never);
    for (const id of requestIds) await producer.schedule(id, new Date());
  } finally {
    await queue.close();
  }
}

interface ResetState {
  completed: boolean;
  factor: string | null;
  completedEvents: number;
  resets: number;
}

/** Per request: is it completed, the holder's factor, and how many completion/reset events. */
async function resetStates(db: DataSource, requestIds: string[]): Promise<ResetState[]> {
  return db.query<ResetState[]>(
    `SELECT r.status = 'completed' AS completed, f.status AS factor,
            (SELECT count(*)::int FROM audit_events e
              WHERE e.subject_id = r.id::text AND e.action = 'recovery.completed') AS "completedEvents",
            (SELECT count(*)::int FROM audit_events e
              WHERE e.subject_id = r.id::text AND e.action = 'two_factor.reset') AS resets
       FROM recovery_requests r LEFT JOIN two_factor_factors f ON f.user_id = r.user_id
      WHERE r.id = ANY($1)`,
    [requestIds],
  );
}

async function inboundStates(db: DataSource, ids: string[]): Promise<string[]> {
  const rows = await db.query<{ state: string }[]>(
    `SELECT state FROM inbound_messages WHERE id = ANY($1)`,
    [ids],
  );
  return rows.map((row) => row.state);
}

function approvedMails(sink: SmtpSink, address: string): number {
  return sink
    .to(address)
    .filter((mail) => mail.parsed.subject === 'Your two-factor authentication has been reset')
    .length;
}

/** Jobs waiting, delayed or running in the app's queues (what a flush throws away). */
async function queuedJobs(t: TestApp): Promise<number> {
  let total = 0;
  for (const name of [QueueName.inboundEmail, QueueName.mail, QueueName.recoveryReset]) {
    const counts = await t.app
      .get<Queue>(getQueueToken(name))
      .getJobCounts('waiting', 'delayed', 'active', 'prioritized');
    total += Object.values(counts).reduce((sum, n) => sum + n, 0);
  }
  return total;
}
