import type { DataSource } from 'typeorm';
import { SmtpIngressServer } from '../../src/recovery/inbound-email/smtp-ingress.server';
import {
  buildMessage,
  dkimSigned,
  expectNoOutboundMail,
  InboundRow,
  uniqueMessageId,
  waitForFinal,
} from '../helpers/inbound-mail';
import { loopbackDnsHost, TestMta } from '../helpers/postfix';
import {
  Clinic,
  makeClinic,
  makeMember,
  Member,
  RecoveryWorld,
  startRecoveryWorld,
} from '../helpers/recovery';

const AUTHSERV_ID = 'mx.recovery-desk.test';
const SUPPORT = 'support@recovery-desk.test';

/** Waits for the message Postfix relayed to the app (found by Message-ID) to be decided. */
async function relayedRow(db: DataSource, messageId: string, mta: TestMta): Promise<InboundRow> {
  const deadline = Date.now() + 30000;
  for (;;) {
    const [found] = await db.query<{ id: string }[]>(
      `SELECT id FROM inbound_messages WHERE position($1::bytea in raw) > 0`,
      [Buffer.from(`Message-ID: ${messageId}`)],
    );
    if (found !== undefined) {
      const [row] = await waitForFinal(db, [found.id]);
      return row;
    }
    if (Date.now() > deadline) throw new Error(`not relayed: ${messageId}\n${mta.log()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function headerBlock(db: DataSource, id: string): Promise<string> {
  const [{ raw }] = await db.query<{ raw: Buffer }[]>(
    'SELECT raw FROM inbound_messages WHERE id = $1',
    [id],
  );
  return raw.toString('utf8').split('\r\n\r\n')[0];
}

/**
 * SENDER_AUTH=upstream behind a real Postfix with the OpenDKIM and OpenDMARC milters
 * (test/helpers/postfix.ts): the app trusts what OpenDMARC wrote, and nothing a sender wrote.
 */
describe.each([
  { withJobId: false, label: 'authserv-id alone' },
  { withJobId: true, label: 'authserv-id with /jobid (AuthservIDWithJobID)' },
])('behind Postfix + OpenDKIM + OpenDMARC ($label)', ({ withJobId }) => {
  let world: RecoveryWorld;
  let mta: TestMta;
  let clinic: Clinic;
  let member: Member;

  beforeAll(async () => {
    world = await startRecoveryWorld(
      { SENDER_AUTH: 'upstream', AUTHSERV_ID },
      { host: loopbackDnsHost(), port: 53 },
    );
    mta = await TestMta.start({
      authservId: AUTHSERV_ID,
      withJobId,
      relayDomain: 'recovery-desk.test',
      relayPort: world.t.app.get(SmtpIngressServer).port as number,
      dnsHost: world.dns.host,
    });
    clinic = await makeClinic(world);
    member = await makeMember(world, clinic);
  });
  afterAll(async () => {
    await mta?.stop();
    await world?.close();
  });

  /** The message as the app stored it, and its decision, once Postfix has relayed it. */
  async function viaPostfix(raw: string, from: string, messageId: string) {
    expect(await mta.send(raw, { from, to: [SUPPORT] })).toMatch(/^250 /);
    const row = await relayedRow(world.t.dataSource, messageId, mta);
    return { row, headers: await headerBlock(world.t.dataSource, row.id) };
  }

  it('a DKIM-signed recovery mail is authenticated by the field OpenDMARC added', async () => {
    const messageId = uniqueMessageId(clinic.domain);
    const raw = await dkimSigned(
      buildMessage({ from: member.email, messageId, body: `Lost my phone, card ${clinic.last4}` }),
      clinic.domain,
      clinic.key,
    );
    const { row, headers } = await viaPostfix(raw, member.email, messageId);
    // the topmost field is OpenDMARC's, written with the id (and job id) Postfix's milters use
    expect(headers).toMatch(
      withJobId
        ? /^Authentication-Results: mx\.recovery-desk\.test\/[0-9A-Za-z]+; dmarc=pass/
        : /^Authentication-Results: mx\.recovery-desk\.test; dmarc=pass/,
    );
    expect({ authentication: row.authentication, headers }).toMatchObject({
      authentication: { result: 'pass', method: 'upstream', domain: clinic.domain },
    });
    const [request] = await world.t.dataSource.query<{ status: string }[]>(
      'SELECT status FROM recovery_requests WHERE inbound_message_id = $1',
      [row.id],
    );
    expect(request).toEqual({ status: 'awaiting_approval' });
  });

  it('a forged Authentication-Results with our authserv-id below the real one is not trusted', async () => {
    const messageId = uniqueMessageId(clinic.domain);
    const victim = await makeMember(world, clinic);
    // unsigned, From a clinic member; the sender adds the field a careless reader would trust
    const raw = buildMessage({
      from: victim.email,
      messageId,
      body: `Lost my phone, card ${clinic.last4}`,
      headers: [`Authentication-Results: ${AUTHSERV_ID}; dmarc=pass header.from=${clinic.domain}`],
    });
    const { row, headers } = await viaPostfix(raw, victim.email, messageId);
    // Postfix's milters put their fields on top; the forged one is still there, further down
    expect(headers.match(/^Authentication-Results:/gm)?.length).toBe(3);
    expect(headers).toMatch(/^Authentication-Results: [^;]+; dmarc=fail/);
    expect({ row, headers }).toMatchObject({
      row: { decision: 'rejected', reason: 'sender_not_authenticated' },
    });
    expect(row.authentication).toMatchObject({ result: 'fail', method: 'upstream' });
    expect(row.authentication?.detail).toContain('dmarc=fail');
    await expectNoOutboundMail(world.t.dataSource, '', [victim.email]);
  });

  it('a forged dkim=pass claiming our authserv-id is dropped by OpenDKIM, not believed by OpenDMARC', async () => {
    const messageId = uniqueMessageId(clinic.domain);
    const victim = await makeMember(world, clinic);
    const raw = buildMessage({
      from: victim.email,
      messageId,
      body: `Lost my phone, card ${clinic.last4}`,
      headers: [
        `Authentication-Results: ${AUTHSERV_ID}; dkim=pass header.d=${clinic.domain} header.i=@${clinic.domain}; spf=pass smtp.mailfrom=${clinic.domain}; dmarc=pass header.from=${clinic.domain}`,
      ],
    });
    const { row, headers } = await viaPostfix(raw, victim.email, messageId);
    // OpenDKIM removes fields with a DKIM result that claim its authserv-id, so OpenDMARC
    // counts only the DKIM result OpenDKIM wrote for this message
    expect(headers).not.toContain('smtp.mailfrom');
    expect(headers.match(/^Authentication-Results:/gm)?.length).toBe(2);
    expect(headers).toMatch(/^Authentication-Results: [^;]+; dmarc=fail/);
    expect({ row, headers }).toMatchObject({
      row: { decision: 'rejected', reason: 'sender_not_authenticated' },
    });
    await expectNoOutboundMail(world.t.dataSource, '', [victim.email]);
  });
});
