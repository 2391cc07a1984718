import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource as TypeOrmDataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '../../src/database/data-source';
import { QueueName } from '../../src/queue/queue-names';
import { InboundMessageRepository } from '../../src/recovery/inbound-email/inbound-message.repository';
import {
  IngressPool,
  STORE_STATEMENT_TIMEOUT_MS,
} from '../../src/recovery/inbound-email/ingress-pool';
import { SmtpIngressServer } from '../../src/recovery/inbound-email/smtp-ingress.server';
import {
  buildMessage,
  expectProcessedOnce,
  inboundRows,
  sendSmtp,
  TestDnsServer,
  uniqueMessageId,
  waitForFinal,
} from '../helpers/inbound-mail';
import { freePort, OwnPostgres, OwnRedis } from '../helpers/own-services';
import { spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import { startTestApp, TEST_INBOUND_TOKEN, testEnv, TestApp } from '../helpers/test-app';
import { baseDatabaseUrl } from '../helpers/test-env';

const SUPPORT = 'support@recovery-desk.test';

describe('inbound mail: durability', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await TestDnsServer.start();
    dns.publishDomain('spf.test', { spf: 'v=spf1 ip4:127.0.0.1 -all', dmarc: 'v=DMARC1; p=none' });
  });
  afterAll(async () => {
    await dns.close();
  });

  describe('PostgreSQL cannot take the message', () => {
    let pg: OwnPostgres;
    let t: TestApp;
    let port: number;

    beforeAll(async () => {
      pg = await OwnPostgres.start();
      const url = pg.url('rd_inbound_outage');
      await runMigrations({ databaseUrl: url });
      t = await startTestApp({ DATABASE_URL: url, DNS_SERVERS: dns.address });
      port = t.app.get(SmtpIngressServer).port as number;
    }, 120000);
    afterAll(async () => {
      await t?.close();
      await pg?.destroy();
    });

    it('answers 451 (never 250) while it is down, and 250 once it is back', async () => {
      const before = await sendSmtp(port, buildMessage({ from: 'cia@spf.test' }), {
        from: 'cia@spf.test',
        to: [SUPPORT],
      });
      expect(before.response).toMatch(/^250 /);

      await pg.stop();
      const messageId = uniqueMessageId('spf.test');
      await expect(
        sendSmtp(port, buildMessage({ from: 'cia@spf.test', messageId }), {
          from: 'cia@spf.test',
          to: [SUPPORT],
        }),
      ).rejects.toMatchObject({ responseCode: 451 });
      // the webhook says the same in HTTP: 503, try again
      const response = await t.http
        .post('/api/inbound/messages')
        .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
        .set('Content-Type', 'message/rfc822')
        .send(buildMessage({ from: 'cia@spf.test' }))
        .expect(503);
      expect(response.body).toMatchObject({ statusCode: 503 });

      await pg.start();
      // the sender's MTA retries later: now it is stored, and processed
      const retried = await sendSmtp(port, buildMessage({ from: 'cia@spf.test', messageId }), {
        from: 'cia@spf.test',
        to: [SUPPORT],
      });
      const rows = await waitForFinal(t.dataSource, [before.id, retried.id]);
      expect(rows.map((row) => row.state)).toEqual(['processed', 'processed']);
      // nothing of the refused attempts was kept
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM inbound_messages`);
      expect(n).toBe(2);
    }, 120000);
  });

  describe('Redis stopped while mail arrives', () => {
    let redis: OwnRedis;
    let t: TestApp;
    let port: number;

    beforeAll(async () => {
      redis = await OwnRedis.start();
      t = await startTestApp({ REDIS_URL: redis.url, DNS_SERVERS: dns.address });
      port = t.app.get(SmtpIngressServer).port as number;
    });
    afterAll(async () => {
      await t?.close();
      await redis?.stop();
    });

    it('accepts every message, and processes each once after Redis returns', async () => {
      await redis.stop();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const started = Date.now();
        const sent = await sendSmtp(port, buildMessage({ from: 'cia@spf.test' }), {
          from: 'cia@spf.test',
          to: [SUPPORT],
        });
        expect(sent.response).toMatch(/^250 /);
        // the answer does not wait for Redis
        expect(Date.now() - started).toBeLessThan(5000);
        ids.push(sent.id);
      }
      const webhook = await t.http
        .post('/api/inbound/messages')
        .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
        .set('Content-Type', 'message/rfc822')
        .set('X-Envelope-From', 'cia@spf.test')
        .set('X-Client-Ip', '127.0.0.1')
        .send(buildMessage({ from: 'cia@spf.test' }))
        .expect(202);
      ids.push(webhook.body.id);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const waiting = await inboundRows(t.dataSource, ids);
      expect(waiting.map((row) => row.state)).toEqual(ids.map(() => 'stored'));

      // back, and empty: adds still pending complete now, and whatever was lost the sweeper
      // finds (same job id either way, so nothing runs twice)
      await redis.start();
      await waitForFinal(t.dataSource, ids, 90000);
      await expectProcessedOnce(t.dataSource, ids);
    }, 150000);
  });

  it('stores on connections whose every statement the server cuts off after 30 s', async () => {
    const t = await startTestApp({ DNS_SERVERS: dns.address });
    try {
      // the SMTP client must get 451 from a stuck database, not wait on it for ever: the store is
      // one autocommitted INSERT, so the bound lives on the connection, not in a transaction
      const pool = t.app.get(IngressPool);
      const [setting] = await pool.query<{ statement_timeout: string }>(
        'SHOW statement_timeout',
        [],
      );
      expect(setting.statement_timeout).toBe('30s');
      expect(STORE_STATEMENT_TIMEOUT_MS).toBe(30_000);
    } finally {
      await t.close();
    }
  }, 60000);

  it('the outbox sweeper finds a row whose job was never enqueued', async () => {
    const t = await startTestApp({ DNS_SERVERS: dns.address });
    try {
      // as if the process died between the commit and the enqueue
      const id = await t.app.get(InboundMessageRepository).insert({
        source: 'smtp',
        clientIp: '127.0.0.1',
        clientHelo: 'mx.spf.test',
        mailFrom: 'cia@spf.test',
        rcptTo: [SUPPORT],
        raw: Buffer.from(buildMessage({ from: 'cia@spf.test' })),
      });
      const jobs = await t.app.get<Queue>(getQueueToken(QueueName.inboundEmail)).getJob(id);
      expect(jobs).toBeUndefined();
      await waitForFinal(t.dataSource, [id], 60000);
      await expectProcessedOnce(t.dataSource, [id]);
    } finally {
      await t.close();
    }
  }, 90000);

  describe('the process killed with kill -9 mid-batch', () => {
    let app: SpawnedApp | undefined;
    afterAll(async () => {
      if (app !== undefined && app.child.exitCode === null) {
        app.child.kill('SIGKILL');
        await app.exited;
      }
    });

    it('processes every accepted message exactly once after a restart', async () => {
      const smtpPort = await freePort();
      const env = testEnv({
        SMTP_PORT: String(smtpPort),
        HTTP_PORT: String(await freePort()),
        DNS_SERVERS: dns.address,
      });
      // slow DNS: each message takes a while, so the kill lands while several are in flight
      dns.delayMs = 150;
      app = spawnApp(env);
      await waitForOutput(app, /Recovery Desk running/, 60000);
      const ids: string[] = [];
      for (let i = 0; i < 24; i += 1) {
        const sent = await sendSmtp(smtpPort, buildMessage({ from: 'cia@spf.test' }), {
          from: 'cia@spf.test',
          to: [SUPPORT],
        });
        ids.push(sent.id);
      }
      app.child.kill('SIGKILL');
      await app.exited;

      const db = new TypeOrmDataSource(dataSourceOptions({ databaseUrl: baseDatabaseUrl() }));
      await db.initialize();
      try {
        const atKill = await inboundRows(db, ids);
        // mid-batch: some were done, some were not
        expect(atKill.some((row) => row.state === 'stored')).toBe(true);

        dns.delayMs = 0;
        app = spawnApp(env);
        await waitForOutput(app, /Recovery Desk running/, 60000);
        // jobs that were active at the kill come back once their lock expires (BullMQ stalled
        // check); rows whose job was lost come back through the sweeper
        await waitForFinal(db, ids, 120000);
        await expectProcessedOnce(db, ids);
      } finally {
        await db.destroy();
      }
    }, 240000);
  });
});
