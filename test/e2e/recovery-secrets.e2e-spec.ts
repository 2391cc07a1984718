import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { makeBilling, makeOrganization, makeUser } from '../helpers/factories';
import {
  buildMessage,
  dkimSigned,
  generateDkimKey,
  sendSmtp,
  TestDnsServer,
  uniqueMessageId,
  waitForFinal,
} from '../helpers/inbound-mail';
import { freePort } from '../helpers/own-services';
import { SmtpSink, eventually } from '../helpers/smtp-sink';
import { spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import { testEnv } from '../helpers/test-app';
import { baseDatabaseUrl } from '../helpers/test-env';
import { bearer } from '../helpers/two-factor';
import { makeActiveFactor, makeSignedInAgent } from '../helpers/two-factor';

/**
 * Billing values never leave the database: not in a log line (the real process at LOG_LEVEL=debug,
 * its whole output captured), not in an outbound mail, not in what agents are shown. The sender's
 * own pasted card number and IBAN are masked too.
 */
describe('billing values stay secret through a whole recovery', () => {
  const holderName = 'Zebulon Quartermaine';
  const last4 = '7395';
  const card = '4111 1111 1111 1111';
  const iban = 'SE45 5000 0000 0583 9825 7466';
  const secrets = [
    holderName,
    holderName.toUpperCase(),
    'Quartermaine',
    '4111111111111111',
    card,
    iban,
    iban.replace(/ /g, ''),
    '0583 9825',
  ];
  /** a standalone last4, not a piece of an id, a port or a timestamp */
  const last4Pattern = new RegExp(`(?<![0-9A-Za-z-])${last4}(?![0-9A-Za-z-])`);

  let db: DataSource;
  let dns: TestDnsServer;
  let sink: SmtpSink;
  let app: SpawnedApp;
  let http: ReturnType<typeof request>;
  let smtpPort: number;

  beforeAll(async () => {
    db = await new DataSource(dataSourceOptions({ databaseUrl: baseDatabaseUrl() })).initialize();
    dns = await TestDnsServer.start();
    sink = await new SmtpSink().start();
    const httpPort = await freePort();
    smtpPort = await freePort();
    app = spawnApp({
      ...testEnv(),
      HTTP_PORT: String(httpPort),
      SMTP_PORT: String(smtpPort),
      DNS_SERVERS: dns.address,
      MAIL_TRANSPORT: sink.url,
      LOG_LEVEL: 'debug',
    });
    await waitForOutput(app, /Recovery Desk running/, 60_000);
    http = request(`http://127.0.0.1:${httpPort}`);
  });
  afterAll(async () => {
    app?.child.kill('SIGTERM');
    await app?.exited;
    await sink?.close();
    await dns?.close();
    await db?.destroy();
  });

  it('keeps them out of logs, mails and agent responses', async () => {
    const domain = `clinic-${randomBytes(4).toString('hex')}.test`;
    const key = generateDkimKey('s1');
    dns.publishDomain(domain, {
      spf: 'v=spf1 ip4:127.0.0.1 -all',
      dmarc: 'v=DMARC1; p=reject',
      dkim: { selector: key.selector, record: key.record },
    });
    const organization = await makeOrganization(db);
    await makeBilling(db, organization.id, { kind: 'card', last4, holderName });
    const member = await makeUser(db, {
      organizationId: organization.id,
      email: `member@${domain}`,
    });
    const other = await makeUser(db, { organizationId: organization.id, email: `other@${domain}` });
    await makeActiveFactor(db, member.id);
    await makeActiveFactor(db, other.id);
    const { token: agentToken } = await makeSignedInAgent(http, db);

    const send = async (from: string, body: string, subject: string) => {
      const raw = buildMessage({ from, body, subject, messageId: uniqueMessageId(domain) });
      const { id } = await sendSmtp(smtpPort, await dkimSigned(raw, domain, key), {
        from,
        to: ['support@recovery-desk.test'],
      });
      await waitForFinal(db, [id]);
      const [row] = await db.query<{ id: string; status: string; reason: string | null }[]>(
        'SELECT id, status, reason FROM recovery_requests WHERE inbound_message_id = $1',
        [id],
      );
      return row;
    };
    const accepted = await send(
      member.email,
      `Hej, jag har tappat telefonen. Kortinnehavare: ${holderName}, kortet slutar på ${last4}.\n` +
        `Hela numret är ${card} om det hjälper.`,
      `Kort ${last4}, innehavare ${holderName}`,
    );
    expect(accepted.status).toBe('awaiting_approval');
    // rejected early (already one open request? no: ambiguous evidence), name in the subject
    const rejected = await send(
      other.email,
      `Mitt IBAN är ${iban}, kortet 1234.`,
      `Hjälp – ${holderName}`,
    );
    expect(rejected.status).toBe('rejected');

    const detail = await http
      .get(`/api/recovery/requests/${accepted.id}`)
      .set(...bearer(agentToken))
      .expect(200);
    expect(detail.body.checks.factors).toMatchObject({ last4: 'matched', holderName: 'matched' });
    const shown = JSON.stringify([
      detail.body,
      (await http.get(`/api/recovery/requests/${rejected.id}`).set(...bearer(agentToken))).body,
      (await http.get('/api/recovery/requests').set(...bearer(agentToken))).body,
      (await http.get('/api/inbound/messages').set(...bearer(agentToken))).body,
      (await http.get('/api/audit').set(...bearer(agentToken))).body,
    ]);
    expect(shown).toContain('tappat telefonen');

    await http
      .post(`/api/recovery/requests/${accepted.id}/approve`)
      .set(...bearer(agentToken))
      .send({})
      .expect(200);
    await eventually(async () => {
      const [row] = await db.query<{ status: string }[]>(
        'SELECT status FROM recovery_requests WHERE id = $1',
        [accepted.id],
      );
      return row.status === 'completed';
    }, 'the reset');
    // received + approved to the member, more-info to the other member
    await eventually(() => sink.messages.length >= 3, 'three replies');

    const places: [string, string][] = [
      ['agent responses', shown],
      ['process output (logs)', app.output()],
      ...sink.messages.map((mail, i): [string, string] => [`mail ${i}`, mail.raw.toString()]),
    ];
    for (const [where, text] of places) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`${where} contains "${secret}"`);
      }
      const found = last4Pattern.exec(text);
      if (found !== null) {
        const around = text.slice(Math.max(0, found.index - 80), found.index + 20);
        throw new Error(`${where} contains the last 4 digits: …${around}`);
      }
    }
    // the logs are really there to search: debug lines from the worker and HTTP
    expect(app.output().split('\n').length).toBeGreaterThan(10);
  });
});
