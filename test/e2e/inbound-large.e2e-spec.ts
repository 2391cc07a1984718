/**
 * Large messages are parsed and authenticated in a worker thread (src/recovery/inbound-email/
 * off-loop.ts, OFF_LOOP_BYTES): the results must be exactly those of the inline path — an aligned DKIM
 * signature passes, a body changed after signing does not, and DNS answers still come from the
 * configured DNS server (through the main thread).
 */
import { OFF_LOOP_BYTES } from '../../src/recovery/inbound-email/off-loop';
import { buildMessage, dkimSigned, sendSmtp, waitForFinal } from '../helpers/inbound-mail';
import {
  Clinic,
  makeClinic,
  makeMember,
  Member,
  RecoveryWorld,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';

/** A letter a little over the threshold: evidence first, then a long story. */
function longLetter(clinic: Clinic): string {
  const lines = [`I lost my phone. Card ending in ${clinic.last4}, holder ${clinic.holderName}.`];
  for (let i = 0; lines.join('\r\n').length < OFF_LOOP_BYTES + 64 * 1024; i += 1) {
    lines.push(`Line ${i} of what happened, see https://www.example.test/help for the rest.`);
  }
  return lines.join('\r\n');
}

describe('inbound mail: large messages authenticated off the event loop', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;
  beforeAll(async () => {
    world = await startRecoveryWorld();
    clinic = await makeClinic(world);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a large DKIM-signed recovery mail passes DMARC', async () => {
    const member: Member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, longLetter(clinic));
    expect(sent.state).toBe('processed');
    const [row] = await world.t.dataSource.query<
      {
        decision: string;
        authentication: { result: string; detail: string };
        size: number;
        subject: string;
        from_addresses: string[];
      }[]
    >(
      `SELECT decision, authentication, octet_length(raw) AS size, subject, from_addresses
         FROM inbound_messages WHERE id = $1`,
      [sent.inboundId],
    );
    expect(row.size).toBeGreaterThan(OFF_LOOP_BYTES);
    // parsed in the thread: the same fields as inline
    expect(row.subject).toBe('I lost my phone');
    expect(row.from_addresses).toEqual([member.email]);
    expect(row.authentication.result).toBe('pass');
    expect(row.authentication.detail).toContain(`dkim=pass d=${clinic.domain}`);
    // decided on the evidence like any other letter (not part of this check)
    expect(row.decision).not.toBeNull();
  });

  it('a large message whose body changed after signing does not pass', async () => {
    const member = await makeMember(world, clinic);
    const signed = await dkimSigned(
      buildMessage({ from: member.email, body: longLetter(clinic) }),
      clinic.domain,
      clinic.key,
    );
    // one character of the body changed in transit: the body hash no longer verifies, and the
    // SPF-only pass cannot align (envelope sender of another domain)
    const tampered = signed.replace('Line 7 of', 'Line 8 of');
    expect(tampered).not.toBe(signed);
    const { id } = await sendSmtp(world.smtpPort, tampered, {
      from: 'bounces@relay.example.test',
      to: ['support@recovery-desk.test'],
    });
    await waitForFinal(world.t.dataSource, [id]);
    const [row] = await world.t.dataSource.query<
      { authentication: { result: string; detail: string } }[]
    >(`SELECT authentication FROM inbound_messages WHERE id = $1`, [id]);
    expect(row.authentication.result).not.toBe('pass');
    expect(row.authentication.detail).toMatch(/dkim=(neutral|fail)/);
  });
});
