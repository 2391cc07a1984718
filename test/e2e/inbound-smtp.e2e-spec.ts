import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { makeUser, signIn } from '../helpers/factories';
import { makeSignedInAgent } from '../helpers/two-factor';
import {
  buildMessage,
  expectNoOutboundMail,
  inboundRows,
  sendSmtp,
  TestDnsServer,
  uniqueMessageId,
  waitForFinal,
} from '../helpers/inbound-mail';
import { startTestApp, TEST_INBOUND_TOKEN, TestApp } from '../helpers/test-app';
import { InboundRawPurgeService } from '../../src/recovery/inbound-email/inbound-raw-purge.service';
import { SmtpIngressServer } from '../../src/recovery/inbound-email/smtp-ingress.server';

const SUPPORT = 'support@recovery-desk.test';
const MAX = 64 * 1024;

describe('inbound mail: SMTP ingress and webhook', () => {
  let t: TestApp;
  let dns: TestDnsServer;
  let port: number;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    t = await startTestApp({
      DNS_SERVERS: dns.address,
      MAX_MESSAGE_BYTES: String(MAX),
      SUPPORT_ADDRESSES: `${SUPPORT},help@recovery-desk.test`,
    });
    port = t.app.get(SmtpIngressServer).port as number;
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
  });

  describe('SMTP', () => {
    it('answers 250 with the stored id, after the bytes and envelope are committed', async () => {
      const raw = buildMessage({ from: 'person@nowhere.test' });
      const result = await sendSmtp(
        port,
        raw,
        { from: 'bounce-1@nowhere.test', to: ['Support@Recovery-Desk.test'] },
        'mx.nowhere.test',
      );
      expect(result.response).toMatch(/^250 /);
      const [row] = await t.dataSource.query(
        `SELECT source, client_ip, client_helo, mail_from, rcpt_to, raw, raw_size, raw_sha256
           FROM inbound_messages WHERE id = $1`,
        [result.id],
      );
      expect(row).toMatchObject({
        source: 'smtp',
        client_helo: 'mx.nowhere.test',
        mail_from: 'bounce-1@nowhere.test',
        // as presented (smtp-server lower-cases the domain only)
        rcpt_to: ['Support@recovery-desk.test'],
        raw_size: Buffer.byteLength(raw),
      });
      expect(row.client_ip).toMatch(/127\.0\.0\.1$/);
      // byte for byte what was sent (SMTP dot-stuffing undone, line ends kept)
      expect(Buffer.compare(row.raw, Buffer.from(raw))).toBe(0);
      expect(row.raw_sha256).toEqual(createHash('sha256').update(raw).digest());
    });

    it('refuses RCPT TO outside SUPPORT_ADDRESSES with 550 and stores nothing', async () => {
      const messageId = uniqueMessageId();
      const raw = buildMessage({ from: 'person@nowhere.test', messageId });
      await expect(
        sendSmtp(port, raw, {
          from: 'person@nowhere.test',
          to: ['someone-else@recovery-desk.test'],
        }),
      ).rejects.toMatchObject({ responseCode: 550 });
      // searched as bytes: other files store 8-bit messages that are not valid UTF-8
      const rows: unknown[] = await t.dataSource.query(
        `SELECT id FROM inbound_messages WHERE position($1::bytea in raw) > 0`,
        [Buffer.from(messageId)],
      );
      expect(rows).toEqual([]);
    });

    it('accepts a message for a second support address beside a refused one', async () => {
      const result = await sendSmtp(port, buildMessage({ from: 'person@nowhere.test' }), {
        from: 'person@nowhere.test',
        to: ['nobody@recovery-desk.test', 'help@recovery-desk.test'],
      });
      const [row] = await t.dataSource.query(`SELECT rcpt_to FROM inbound_messages WHERE id = $1`, [
        result.id,
      ]);
      expect(row.rcpt_to).toEqual(['help@recovery-desk.test']);
    });

    it('refuses a message over MAX_MESSAGE_BYTES with 552 while streaming, storing nothing', async () => {
      const startedAt = new Date();
      const before = await t.dataSource.query(`SELECT count(*)::int AS n FROM inbound_messages`);
      const big = buildMessage({ from: 'person@nowhere.test', body: 'x'.repeat(76) + '\r\n' });
      const raw = big + `${'y'.repeat(76)}\r\n`.repeat(Math.ceil(MAX / 78) + 10);
      await expect(
        sendSmtp(port, raw, { from: 'person@nowhere.test', to: [SUPPORT] }),
      ).rejects.toMatchObject({ responseCode: 552 });
      const after = await t.dataSource.query(`SELECT count(*)::int AS n FROM inbound_messages`);
      // other test files share the table (one stores a 12 MB message with a higher limit)
      const large: unknown[] = await t.dataSource.query(
        `SELECT id FROM inbound_messages
          WHERE raw_size > $1 AND received_at >= $2 AND mail_from = 'person@nowhere.test'`,
        [MAX, startedAt],
      );
      expect(large).toEqual([]);
      expect(after[0].n).toBeGreaterThanOrEqual(before[0].n);
    });

    it('announces SIZE in its EHLO answer', async () => {
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString();
          if (text.startsWith('220') && !text.includes('EHLO sent')) {
            text += 'EHLO sent\n';
            socket.write('EHLO probe.test\r\n');
          }
          if (/\n250 [^\n]*\n$/.test(text)) {
            socket.end('QUIT\r\n');
            resolve(text);
          }
        });
        socket.on('error', reject);
      });
      expect(greeting).toContain(`SIZE ${MAX}`);
      expect(greeting).not.toContain('STARTTLS');
      expect(greeting).not.toContain('AUTH');
    });
  });

  describe('webhook', () => {
    const post = () =>
      t.http
        .post('/api/inbound/messages')
        .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
        .set('Content-Type', 'message/rfc822');

    it('stores the raw message with its envelope and answers 202 { id }', async () => {
      const raw = buildMessage({ from: 'person@nowhere.test' });
      const response = await post()
        .set('X-Envelope-From', '<bounces@nowhere.test>')
        .set('X-Envelope-To', `${SUPPORT}`)
        .set('X-Client-Ip', '192.0.2.7')
        .set('X-Client-Helo', 'mx.nowhere.test')
        .send(raw)
        .expect(202);
      const [row] = await t.dataSource.query(
        `SELECT source, client_ip, client_helo, mail_from, rcpt_to, raw FROM inbound_messages WHERE id = $1`,
        [response.body.id],
      );
      expect(row).toMatchObject({
        source: 'webhook',
        client_ip: '192.0.2.7',
        client_helo: 'mx.nowhere.test',
        mail_from: 'bounces@nowhere.test',
        rcpt_to: [SUPPORT],
      });
      expect(row.raw.toString()).toBe(raw);
      await waitForFinal(t.dataSource, [response.body.id]);
    });

    it('needs the bearer token (401) and message/rfc822 (415)', async () => {
      const raw = buildMessage({ from: 'person@nowhere.test' });
      const missing = await t.http
        .post('/api/inbound/messages')
        .set('Content-Type', 'message/rfc822')
        .send(raw)
        .expect(401);
      expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      await t.http
        .post('/api/inbound/messages')
        .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}x`)
        .set('Content-Type', 'message/rfc822')
        .send(raw)
        .expect(401);
      await t.http
        .post('/api/inbound/messages')
        .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
        .set('Content-Type', 'application/json')
        .send({ raw })
        .expect(415);
    });

    it('refuses bad envelope headers with 400', async () => {
      const raw = buildMessage({ from: 'person@nowhere.test' });
      const response = await post().set('X-Client-Ip', 'not-an-ip').send(raw).expect(400);
      expect(response.body.message).toMatch(/X-Client-Ip/);
    });

    it('answers 413 over MAX_MESSAGE_BYTES (declared length and chunked stream)', async () => {
      const raw = buildMessage({ from: 'person@nowhere.test', body: 'z'.repeat(MAX + 10) });
      const response = await post().send(raw).expect(413);
      expect(response.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });

      // without Content-Length: the limit is enforced while the body streams in
      const url = new URL(t.httpUrl as string);
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request({
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/api/inbound/messages',
          headers: {
            Authorization: `Bearer ${TEST_INBOUND_TOKEN}`,
            'Content-Type': 'message/rfc822',
            'Transfer-Encoding': 'chunked',
          },
        });
        request.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        request.on('error', reject);
        const chunk = Buffer.alloc(16 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < MAX * 2) {
            sent += chunk.length;
            if (!request.write(chunk)) return request.once('drain', pump);
          }
          request.end();
        };
        pump();
      });
      expect(status).toBe(413);
    });

    it('is off (404) when INBOUND_TOKEN is unset', async () => {
      const other = await startTestApp({ INBOUND_TOKEN: '', ROLES: 'api' });
      try {
        await other.http
          .post('/api/inbound/messages')
          .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
          .set('Content-Type', 'message/rfc822')
          .send(buildMessage({ from: 'person@nowhere.test' }))
          .expect(404);
      } finally {
        await other.close();
      }
    });
  });

  it('gives one outcome for the same message delivered twice (SMTP and webhook)', async () => {
    const messageId = uniqueMessageId('nowhere.test');
    const raw = buildMessage({ from: 'Twice <twice@nowhere.test>', messageId });
    const first = await sendSmtp(port, raw, { from: 'twice@nowhere.test', to: [SUPPORT] });
    const second = await sendSmtp(port, raw, { from: 'twice@nowhere.test', to: [SUPPORT] });
    const third = await t.http
      .post('/api/inbound/messages')
      .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
      .set('Content-Type', 'message/rfc822')
      .send(raw)
      .expect(202);
    const ids = [first.id, second.id, third.body.id as string];
    expect(new Set(ids).size).toBe(3);
    const rows = await waitForFinal(t.dataSource, ids);
    const outcomes = rows.filter((row) => row.state === 'processed');
    const duplicates = rows.filter((row) => row.state === 'ignored' && row.reason === 'duplicate');
    expect(outcomes).toHaveLength(1);
    expect(duplicates).toHaveLength(2);
    for (const duplicate of duplicates) expect(duplicate.duplicate_of).toBe(outcomes[0].id);
    // the outcome itself: nowhere.test publishes nothing, so the sender is not authenticated
    expect(outcomes[0]).toMatchObject({ decision: 'rejected', reason: 'sender_not_authenticated' });
    // one audit event per message, exactly
    const events: { subject_id: string; action: string }[] = await t.dataSource.query(
      `SELECT subject_id, action FROM audit_events WHERE subject_id = ANY($1)`,
      [ids],
    );
    expect(events).toHaveLength(3);
    await expectNoOutboundMail(t.dataSource, t.outboxDir, ['twice@nowhere.test']);
  });

  describe('GET /api/inbound/messages', () => {
    it('lists messages with state and authentication for agents, never the body', async () => {
      const secret = `card 4111 1111 1111 1111 ${uniqueMessageId()}`;
      const sent = await sendSmtp(
        port,
        buildMessage({ from: 'Åsa <lister@nowhere.test>', subject: 'Hjälp', body: secret }),
        { from: 'lister@nowhere.test', to: [SUPPORT] },
      );
      await waitForFinal(t.dataSource, [sent.id]);
      const { token } = await makeSignedInAgent(t.http, t.dataSource);
      const response = await t.http
        .get('/api/inbound/messages?status=processed')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      const item = response.body.items.find((entry: { id: string }) => entry.id === sent.id);
      expect(item).toMatchObject({
        id: sent.id,
        state: 'processed',
        from: ['lister@nowhere.test'],
        subject: 'Hjälp',
        reason: 'sender_not_authenticated',
        decision: 'rejected',
        authentication: { result: 'fail', method: 'dmarc' },
        envelope: { mailFrom: 'lister@nowhere.test', rcptTo: [SUPPORT] },
      });
      expect(typeof item.receivedAt).toBe('string');
      // the rejected request the verification recorded (or null without one)
      expect(item.requestId === null || typeof item.requestId === 'string').toBe(true);
      expect(response.body.total).toBeGreaterThanOrEqual(1);
      // the card number as written, not a '4111' that a random UUID may contain
      expect(JSON.stringify(response.body)).not.toContain('4111 1111');
      for (const entry of response.body.items) expect(entry.state).toBe('processed');

      await t.http
        .get('/api/inbound/messages?status=nonsense')
        .set('Authorization', `Bearer ${token}`)
        .expect(400);
    });

    it('is for agents only', async () => {
      const user = await makeUser(t.dataSource);
      const token = await signIn(t.http, user.email);
      await t.http.get('/api/inbound/messages').set('Authorization', `Bearer ${token}`).expect(403);
      await t.http.get('/api/inbound/messages').expect(401);
    });
  });

  it('purges raw bytes after RAW_RETENTION_DAYS, keeping the decision', async () => {
    const sent = await sendSmtp(port, buildMessage({ from: 'old@nowhere.test' }), {
      from: 'old@nowhere.test',
      to: [SUPPORT],
    });
    await waitForFinal(t.dataSource, [sent.id]);
    const waiting = await t.http
      .post('/api/inbound/messages')
      .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
      .set('Content-Type', 'message/rfc822')
      .send(buildMessage({ from: 'old@nowhere.test' }))
      .expect(202);
    await waitForFinal(t.dataSource, [waiting.body.id]);
    await t.dataSource.query(
      `UPDATE inbound_messages SET received_at = now() - interval '31 days' WHERE id = $1`,
      [sent.id],
    );
    const purged = await t.app.get(InboundRawPurgeService).purgeExpired();
    expect(purged).toBeGreaterThanOrEqual(1);
    const [old, recent] = await inboundRows(t.dataSource, [sent.id, waiting.body.id]);
    expect(old).toMatchObject({
      raw_purged: true,
      state: 'processed',
      reason: 'sender_not_authenticated',
    });
    expect(old.authentication).toMatchObject({ result: 'fail' });
    expect(recent.raw_purged).toBe(false);
  });
});
