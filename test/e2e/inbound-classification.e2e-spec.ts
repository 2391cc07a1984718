import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  expectNoOutboundMail,
  sendSmtp,
  TestDnsServer,
  waitForFinal,
} from '../helpers/inbound-mail';
import { startTestApp, TEST_INBOUND_TOKEN, TestApp } from '../helpers/test-app';
import { SmtpIngressServer } from '../../src/recovery/inbound-email/smtp-ingress.server';

const SUPPORT = 'support@recovery-desk.test';
const FIXTURES = path.join(__dirname, '../fixtures/mail');

/** A fixture with a Message-ID unique to this run (the run's database is shared by every file). */
function fixture(name: string): Buffer {
  const raw = readFileSync(path.join(FIXTURES, name));
  const tag = randomBytes(4).toString('hex');
  return Buffer.from(
    raw.toString('latin1').replace(/Message-ID: <([^>]+)>/i, `Message-ID: <${tag}.$1>`),
    'latin1',
  );
}

async function recoveryRequestsFor(t: TestApp, ids: string[]): Promise<unknown[]> {
  const [{ present }] = await t.dataSource.query<{ present: boolean }[]>(
    `SELECT to_regclass('public.recovery_requests') IS NOT NULL AS present`,
  );
  if (!present) return [];
  return t.dataSource.query(`SELECT id FROM recovery_requests WHERE inbound_message_id = ANY($1)`, [
    ids,
  ]);
}

describe('inbound mail: automatic mail is ignored, without reply', () => {
  let t: TestApp;
  let dns: TestDnsServer;
  let port: number;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    // spf.test senders are authenticated (SPF pass from 127.0.0.1, DMARC aligned): being
    // ignored is the classification's doing, not a failed authentication
    dns.publishDomain('spf.test', { spf: 'v=spf1 ip4:127.0.0.1 -all', dmarc: 'v=DMARC1; p=none' });
    t = await startTestApp({ DNS_SERVERS: dns.address });
    port = t.app.get(SmtpIngressServer).port as number;
  });
  afterAll(async () => {
    await t.close();
    await dns.close();
  });

  it.each([
    ['auto-reply-vacation.eml', 'anna@spf.test', 'auto_submitted'],
    ['x-autoreply.eml', 'anna@spf.test', 'autoreply_header'],
    ['bounce-dsn.eml', '', 'null_sender'],
    ['bounce-dsn.eml', 'postmaster@spf.test', 'delivery_report'],
    ['read-receipt-mdn.eml', 'anna@spf.test', 'delivery_report'],
    ['list-mail.eml', 'news@spf.test', 'list_mail'],
    ['precedence-bulk.eml', 'offers@spf.test', 'precedence'],
  ])('%s (MAIL FROM <%s>) → ignored: %s', async (name, mailFrom, reason) => {
    const { id } = await sendSmtp(port, fixture(name), { from: mailFrom, to: [SUPPORT] });
    const [row] = await waitForFinal(t.dataSource, [id]);
    expect(row).toMatchObject({ state: 'ignored', reason, decision: null });
    expect(await recoveryRequestsFor(t, [id])).toEqual([]);
    await expectNoOutboundMail(t.dataSource, t.outboxDir, [
      'anna@spf.test',
      'news@spf.test',
      'offers@spf.test',
      'postmaster@spf.test',
      'mailer-daemon@mx.spf.test',
    ]);
  });

  it('a message from the same authenticated sender without those marks is processed', async () => {
    const raw = fixture('auto-reply-vacation.eml')
      .toString()
      .replace(/Auto-Submitted: auto-replied\r\n/, '');
    const { id } = await sendSmtp(port, raw, { from: 'anna@spf.test', to: [SUPPORT] });
    const [row] = await waitForFinal(t.dataSource, [id]);
    expect(row.state).toBe('processed');
    expect(row.authentication).toMatchObject({ result: 'pass' });
  });
});

describe('inbound mail: a varied corpus reaches a final state without crashing', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    // SENDER_AUTH=none (development mode) so that every message goes all the way through the
    // hand-off to the verification, not only through parsing and authentication
    t = await startTestApp({ SENDER_AUTH: 'none', MAX_MESSAGE_BYTES: String(16 * 1024 * 1024) });
    port = t.app.get(SmtpIngressServer).port as number;
  });
  afterAll(async () => {
    await t.close();
  });

  const corpus = readdirSync(FIXTURES).filter(
    (name) =>
      ![
        'auto-reply-vacation.eml',
        'x-autoreply.eml',
        'bounce-dsn.eml',
        'read-receipt-mdn.eml',
        'list-mail.eml',
        'precedence-bulk.eml',
      ].includes(name),
  );

  it('covers what it should', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10);
  });

  it('every message, over SMTP and over the webhook', async () => {
    const ids: Record<string, string> = {};
    for (const name of corpus) {
      ids[`smtp:${name}`] = (
        await sendSmtp(port, fixture(name), { from: 'sender@kund.test', to: [SUPPORT] })
      ).id;
      const response = await t.http
        .post('/api/inbound/messages')
        .set('Authorization', `Bearer ${TEST_INBOUND_TOKEN}`)
        .set('Content-Type', 'message/rfc822')
        .send(fixture(name))
        .expect(202);
      ids[`webhook:${name}`] = response.body.id;
    }
    const rows = await waitForFinal(t.dataSource, Object.values(ids), 60000);
    for (const row of rows) expect(['processed', 'ignored', 'failed']).toContain(row.state);
    // nothing here is beyond parsing: a failure would be a bug, not a property of the message
    expect(rows.filter((row) => row.state === 'failed')).toEqual([]);

    const metadata: {
      id: string;
      subject: string | null;
      from_addresses: string[] | null;
      attachments: unknown;
    }[] = await t.dataSource.query(
      `SELECT id, subject, from_addresses, attachments FROM inbound_messages WHERE id = ANY($1)`,
      [Object.values(ids)],
    );
    const of = (name: string) => metadata.find((row) => row.id === ids[`smtp:${name}`]);
    // RFC 2047 in Swedish, quoted-printable and base64 ISO-8859-1
    expect(of('qp-swedish-name.eml')).toMatchObject({
      subject: 'Förlorad telefon – hjälp',
      from_addresses: ['asa.oberg@kund.test'],
    });
    expect(of('base64-latin1.eml')?.subject).toBe('Återställ tvåfaktor');
    expect(of('nested-multipart.eml')?.attachments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ filename: 'receipt.pdf', contentType: 'application/pdf' }),
      ]),
    );
    expect(of('missing-headers.eml')).toMatchObject({ subject: null, from_addresses: [] });
    // the process is still serving
    await t.http.get('/health').expect(200);
  });

  it('a 9 MiB attachment', async () => {
    const attachment = randomBytes(9 * 1024 * 1024);
    const base64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = [
      'From: Big Sender <big@kund.test>',
      `To: ${SUPPORT}`,
      'Subject: scans of my receipts',
      `Message-ID: <big.${randomBytes(4).toString('hex')}@kund.test>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="big"',
      '',
      '--big',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Receipts attached.',
      '--big',
      'Content-Type: application/octet-stream; name="scan.bin"',
      'Content-Disposition: attachment; filename="scan.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      base64,
      '--big--',
      '',
    ].join('\r\n');
    expect(Buffer.byteLength(raw)).toBeGreaterThan(12 * 1024 * 1024);
    const { id } = await sendSmtp(port, raw, { from: 'big@kund.test', to: [SUPPORT] });
    const [row] = await waitForFinal(t.dataSource, [id], 60000);
    expect(row.state).toBe('processed');
    const [{ attachments, raw_size }] = await t.dataSource.query(
      `SELECT attachments, raw_size FROM inbound_messages WHERE id = $1`,
      [id],
    );
    expect(raw_size).toBe(Buffer.byteLength(raw));
    expect(attachments).toEqual([
      { filename: 'scan.bin', contentType: 'application/octet-stream', size: 9 * 1024 * 1024 },
    ]);
  });
});
