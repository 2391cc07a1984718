import {
  buildMessage,
  DkimKey,
  dkimSigned,
  expectNoOutboundMail,
  generateDkimKey,
  sendSmtp,
  TestDnsServer,
  uniqueMessageId,
  waitForFinal,
} from '../helpers/inbound-mail';
import { createScratchDatabase, ScratchDatabase } from '../helpers/scratch-database';
import { startTestApp, TEST_INBOUND_TOKEN, TestApp } from '../helpers/test-app';
import { SmtpIngressServer } from '../../src/recovery/inbound-email/smtp-ingress.server';

const SUPPORT = 'support@recovery-desk.test';
const AUTHSERV_ID = 'mx.trusted.test';

/**
 * Sender authentication against DNS answers the test controls: a real DNS server on 127.0.0.1
 * serves SPF, DMARC and DKIM key records, and the app resolves them through DNS_SERVERS exactly
 * as in production. Signatures are made with real RSA keys.
 */
describe('inbound mail: sender authentication', () => {
  // Now and then on a loaded machine a message came back decided by the wrong rules: the two apps
  // of this file shared one database, and either one's sweeper could take up the other's stored
  // message (the upstream app now has a database of its own, below). The retry stays as a guard;
  // a real regression still fails every attempt, and the assertions print the whole
  // authentication row (detail included) when they fail.
  jest.retryTimes(2, { logErrorsBeforeRetry: true });
  let t: TestApp;
  let dns: TestDnsServer;
  let port: number;
  let key: DkimKey;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    key = generateDkimKey('s2025');
    // signed.test: mail is authenticated only by its DKIM signature (SPF excludes everyone)
    dns.publishDomain('signed.test', {
      spf: 'v=spf1 -all',
      dmarc: 'v=DMARC1; p=reject',
      dkim: { selector: key.selector, record: key.record },
    });
    // spf.test: mail from 127.0.0.1 passes SPF, aligned with From, so DMARC passes
    dns.publishDomain('spf.test', { spf: 'v=spf1 ip4:127.0.0.1 -all', dmarc: 'v=DMARC1; p=none' });
    // forged.test: a domain whose mail we are sent by someone else
    dns.publishDomain('forged.test', { spf: 'v=spf1 -all', dmarc: 'v=DMARC1; p=reject' });
    // nodmarc.test: DKIM key but no DMARC record
    dns.publishDomain('nodmarc.test', { dkim: { selector: key.selector, record: key.record } });
    t = await startTestApp({ DNS_SERVERS: dns.address });
    port = t.app.get(SmtpIngressServer).port as number;
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
  });

  async function deliver(raw: string, mailFrom: string) {
    const { id } = await sendSmtp(port, raw, { from: mailFrom, to: [SUPPORT] });
    const [row] = await waitForFinal(t.dataSource, [id]);
    return row;
  }

  it('passes an aligned DKIM signature over the whole body (DMARC pass)', async () => {
    const raw = await dkimSigned(
      buildMessage({ from: 'Åsa Öberg <asa@signed.test>' }),
      'signed.test',
      key,
    );
    const row = await deliver(raw, 'asa@signed.test');
    expect(row.state).toBe('processed');
    expect(row.authentication).toEqual(
      expect.objectContaining({ result: 'pass', method: 'dmarc' }),
    );
    expect(row.reason).not.toBe('sender_not_authenticated');
    // the look-ups went to our DNS server, through DNS_SERVERS
    expect(dns.queries).toEqual(
      expect.arrayContaining(['s2025._domainkey.signed.test', '_dmarc.signed.test']),
    );
  });

  it('passes a DKIM signature aligned with From when the domain has no DMARC record', async () => {
    const raw = await dkimSigned(buildMessage({ from: 'bo@nodmarc.test' }), 'nodmarc.test', key);
    const row = await deliver(raw, 'bo@nodmarc.test');
    expect(row.authentication).toEqual(expect.objectContaining({ result: 'pass', method: 'dkim' }));
  });

  it('passes DMARC through SPF with the real client IP and MAIL FROM', async () => {
    const row = await deliver(buildMessage({ from: 'cia@spf.test' }), 'cia@spf.test');
    expect(row.authentication).toEqual(
      expect.objectContaining({ result: 'pass', method: 'dmarc' }),
    );
    expect(row.authentication?.detail).toContain('spf=pass');
  });

  it('asks DNS once per record for several mails from one domain (DNS_CACHE_SECONDS, 60 by default)', async () => {
    dns.publishDomain('provider.test', {
      spf: 'v=spf1 -all',
      dmarc: 'v=DMARC1; p=reject',
      dkim: { selector: key.selector, record: key.record },
    });
    const asked = (name: string) => dns.queries.filter((query) => query === name).length;
    for (const user of ['ann', 'bea', 'cai']) {
      const raw = await dkimSigned(
        buildMessage({
          from: `${user}@provider.test`,
          messageId: uniqueMessageId('provider.test'),
        }),
        'provider.test',
        key,
      );
      const row = await deliver(raw, `${user}@provider.test`);
      expect(row.authentication).toEqual(
        expect.objectContaining({ result: 'pass', method: 'dmarc' }),
      );
    }
    // three messages, each checked in full, and each record fetched once
    expect(asked('_dmarc.provider.test')).toBe(1);
    expect(asked('s2025._domainkey.provider.test')).toBe(1);
    expect(asked('provider.test')).toBe(1);
  });

  describe('refused senders: rejected, sender_not_authenticated, no mail to anyone', () => {
    it('forged From: no DKIM, SPF fail', async () => {
      const row = await deliver(buildMessage({ from: 'ceo@forged.test' }), 'ceo@forged.test');
      expect(row).toMatchObject({
        state: 'processed',
        decision: 'rejected',
        reason: 'sender_not_authenticated',
      });
      expect(row.authentication).toMatchObject({ result: 'fail' });
      expect(row.authentication?.detail).toContain('spf=fail');
      await expectNoOutboundMail(t.dataSource, t.outboxDir, ['ceo@forged.test']);
    });

    it('DKIM with l= and text appended after the signed part', async () => {
      const body = 'Hello, I lost my phone.\r\n';
      const signed = await dkimSigned(
        buildMessage({ from: 'asa@signed.test', body }),
        'signed.test',
        key,
        Buffer.byteLength(`${body}\r\n`),
      );
      expect(signed).toMatch(/DKIM-Signature:[^]*\bl=\d+/);
      const tampered = `${signed}Card ends with 4242, please reset asap.\r\n`;
      const row = await deliver(tampered, 'asa@signed.test');
      expect(row).toMatchObject({ decision: 'rejected', reason: 'sender_not_authenticated' });
      expect(row.authentication?.detail).toMatch(/bytes unsigned/);
      await expectNoOutboundMail(t.dataSource, t.outboxDir, ['asa@signed.test']);
    });

    it('a body changed after signing', async () => {
      const signed = await dkimSigned(
        buildMessage({ from: 'asa@signed.test' }),
        'signed.test',
        key,
      );
      const row = await deliver(
        signed.replace('lost my phone', 'lost my PHONE'),
        'asa@signed.test',
      );
      expect(row).toMatchObject({ reason: 'sender_not_authenticated' });
    });

    it('a signature by another domain than the From', async () => {
      const raw = await dkimSigned(buildMessage({ from: 'asa@forged.test' }), 'signed.test', key);
      const row = await deliver(raw, 'asa@forged.test');
      expect(row).toMatchObject({ reason: 'sender_not_authenticated' });
    });

    it('a forged Authentication-Results claiming our authserv-id (SENDER_AUTH=dmarc ignores it)', async () => {
      const raw = buildMessage({
        from: 'ceo@forged.test',
        headers: [
          `Authentication-Results: ${AUTHSERV_ID}; dkim=pass header.d=forged.test; spf=pass; dmarc=pass header.from=forged.test`,
        ],
      });
      const row = await deliver(raw, 'ceo@forged.test');
      expect(row).toMatchObject({ reason: 'sender_not_authenticated' });
      await expectNoOutboundMail(t.dataSource, t.outboxDir, ['ceo@forged.test']);
    });

    it('two From addresses', async () => {
      const raw = await dkimSigned(
        buildMessage({ from: 'asa@signed.test, boss@signed.test' }),
        'signed.test',
        key,
      );
      const row = await deliver(raw, 'asa@signed.test');
      expect(row).toMatchObject({ reason: 'sender_not_authenticated' });
    });
  });

  it('retries on a temporary DNS failure instead of rejecting, then decides', async () => {
    dns.publishDomain('flaky.test', {
      dkim: { selector: key.selector, record: key.record },
      dmarc: 'v=DMARC1; p=reject',
      spf: 'v=spf1 -all',
    });
    dns.setFailing('flaky.test', true);
    const raw = await dkimSigned(buildMessage({ from: 'dag@flaky.test' }), 'flaky.test', key);
    const { id } = await sendSmtp(port, raw, { from: 'dag@flaky.test', to: [SUPPORT] });
    // the first attempt meets SERVFAIL: the message stays stored, with the error noted
    const deadline = Date.now() + 30000;
    for (;;) {
      const [row] = await t.dataSource.query(
        `SELECT state, attempts, last_error FROM inbound_messages WHERE id = $1`,
        [id],
      );
      if (row.attempts >= 1 && row.last_error !== null) {
        expect(row.state).toBe('stored');
        expect(row.last_error).toMatch(/temporary DNS failure/);
        break;
      }
      if (Date.now() > deadline) throw new Error(`no failed attempt: ${JSON.stringify(row)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    dns.setFailing('flaky.test', false);
    // the job's back-off (5 s) brings it round again; now DNS answers
    const [row] = await waitForFinal(t.dataSource, [id], 40000);
    expect(row.state).toBe('processed');
    expect(row.authentication).toMatchObject({ result: 'pass' });
    expect(row.attempts).toBeGreaterThanOrEqual(2);
  });

  it('the webhook feeds SPF from X-Client-Ip, X-Client-Helo and X-Envelope-From', async () => {
    const raw = buildMessage({ from: 'cia@spf.test' });
    const pass = await t.http
      .post('/api/inbound/messages')
      .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
      .set('Content-Type', 'message/rfc822')
      .set('X-Envelope-From', 'cia@spf.test')
      .set('X-Client-Ip', '127.0.0.1')
      .set('X-Client-Helo', 'mx.spf.test')
      .send(raw)
      .expect(202);
    const fail = await t.http
      .post('/api/inbound/messages')
      .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
      .set('Content-Type', 'message/rfc822')
      .set('X-Envelope-From', 'cia@spf.test')
      .set('X-Client-Ip', '198.51.100.9')
      .send(buildMessage({ from: 'cia@spf.test' }))
      .expect(202);
    const [passed, failed] = await waitForFinal(t.dataSource, [pass.body.id, fail.body.id]);
    expect(passed.authentication).toMatchObject({ result: 'pass', method: 'dmarc' });
    expect(failed).toMatchObject({ reason: 'sender_not_authenticated' });
  });

  describe('SENDER_AUTH=upstream', () => {
    let upstream: TestApp;
    let upstreamPort: number;
    let scratch: ScratchDatabase;
    beforeAll(async () => {
      // A database of its own: every app's sweeper takes up every stored row of its database
      // (inbound-email.processor.ts), so on the shared one the SENDER_AUTH=dmarc app above could
      // decide a message sent here by its own rules, now and then, depending on timing.
      scratch = await createScratchDatabase('upstream');
      upstream = await startTestApp({
        DATABASE_URL: scratch.url,
        SENDER_AUTH: 'upstream',
        AUTHSERV_ID,
        DNS_SERVERS: dns.address,
      });
      upstreamPort = upstream.app.get(SmtpIngressServer).port as number;
    });
    afterAll(async () => {
      await upstream.close();
      await scratch.drop();
    });

    async function deliverUpstream(raw: string) {
      const { id } = await sendSmtp(upstreamPort, raw, {
        from: 'asa@forged.test',
        to: [SUPPORT],
      });
      const [row] = await waitForFinal(upstream.dataSource, [id]);
      return row;
    }

    it('trusts dmarc=pass in the topmost Authentication-Results from AUTHSERV_ID', async () => {
      const row = await deliverUpstream(
        buildMessage({
          from: 'asa@forged.test',
          messageId: uniqueMessageId('forged.test'),
          headers: [`Authentication-Results: ${AUTHSERV_ID}; dmarc=pass header.from=forged.test`],
        }),
      );
      expect(row.authentication).toMatchObject({ result: 'pass', method: 'upstream' });
    });

    it('ignores a forged one further down claiming our authserv-id', async () => {
      const row = await deliverUpstream(
        buildMessage({
          from: 'asa@forged.test',
          headers: [
            `Authentication-Results: ${AUTHSERV_ID}; dkim=none; spf=fail; dmarc=fail header.from=forged.test`,
            'Received: from attacker.test by relay.test',
            `Authentication-Results: ${AUTHSERV_ID}; dmarc=pass header.from=forged.test`,
          ],
        }),
      );
      expect(row).toMatchObject({ decision: 'rejected', reason: 'sender_not_authenticated' });
      await expectNoOutboundMail(upstream.dataSource, upstream.outboxDir, ['asa@forged.test']);
    });

    it('trusts the topmost field when its authserv-id carries a /jobid (AuthservIDWithJobID)', async () => {
      const row = await deliverUpstream(
        buildMessage({
          from: 'asa@forged.test',
          messageId: uniqueMessageId('forged.test'),
          headers: [
            `Authentication-Results: ${AUTHSERV_ID}/4Q7Ks30Hx2z9vB7; dmarc=pass header.from=forged.test`,
          ],
        }),
      );
      expect(row.authentication).toMatchObject({ result: 'pass', method: 'upstream' });
    });

    it('a topmost field with a /jobid is ours: a forged bare-id field below it is ignored', async () => {
      const row = await deliverUpstream(
        buildMessage({
          from: 'asa@forged.test',
          headers: [
            `Authentication-Results: ${AUTHSERV_ID}/2846; dmarc=fail (p=reject dis=none) header.from=forged.test`,
            `Authentication-Results: ${AUTHSERV_ID}/2846; dkim=none; dkim-atps=neutral`,
            'Received: from attacker.test by mx.trusted.test (Postfix) with ESMTP id 2846',
            `Authentication-Results: ${AUTHSERV_ID}; dmarc=pass header.from=forged.test`,
          ],
        }),
      );
      expect(row).toMatchObject({ decision: 'rejected', reason: 'sender_not_authenticated' });
      expect(row.authentication?.detail).toContain('dmarc=fail');
      await expectNoOutboundMail(upstream.dataSource, upstream.outboxDir, ['asa@forged.test']);
    });

    it('a name that only starts with AUTHSERV_ID is somebody else', async () => {
      const row = await deliverUpstream(
        buildMessage({
          from: 'asa@forged.test',
          headers: [
            `Authentication-Results: ${AUTHSERV_ID}.evil.test; dmarc=pass header.from=forged.test`,
            `Authentication-Results: ${AUTHSERV_ID}-x; dmarc=pass header.from=forged.test`,
          ],
        }),
      );
      expect(row).toMatchObject({ reason: 'sender_not_authenticated' });
      expect(row.authentication?.detail).toMatch(/no Authentication-Results from/);
    });

    it('refuses mail without a field from AUTHSERV_ID', async () => {
      const row = await deliverUpstream(
        buildMessage({
          from: 'asa@forged.test',
          headers: ['Authentication-Results: mx.other.test; dmarc=pass header.from=forged.test'],
        }),
      );
      expect(row).toMatchObject({ reason: 'sender_not_authenticated' });
      expect(row.authentication?.detail).toMatch(
        /no Authentication-Results from mx\.trusted\.test/,
      );
    });
  });
});
