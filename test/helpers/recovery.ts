/**
 * A recovery world for end-to-end tests: a DNS server publishing a clinic's SPF, DKIM and DMARC,
 * an SMTP sink catching outbound mail, the real app wired to both, and one-liners to make an
 * organization with billing, members with active 2FA, agents, and to send a DKIM-signed recovery
 * e-mail over real SMTP.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { UserRole } from '../../src/accounts/user.entity';
import { SmtpIngressServer } from '../../src/recovery/inbound-email/smtp-ingress.server';
import { makeBilling, makeOrganization, makeUser } from './factories';
import {
  buildMessage,
  DkimKey,
  dkimSigned,
  generateDkimKey,
  sendSmtp,
  TestDnsServer,
  uniqueMessageId,
  waitForFinal,
} from './inbound-mail';
import { SmtpSink, SunkMail, eventually } from './smtp-sink';
import { startTestApp, TestApp } from './test-app';
import { makeActiveFactor, makeSignedInAgent } from './two-factor';

export interface RecoveryWorld {
  t: TestApp;
  dns: TestDnsServer;
  sink: SmtpSink;
  smtpPort: number;
  close(): Promise<void>;
}

export async function startRecoveryWorld(
  env: Record<string, string> = {},
  dnsAddress: { host?: string; port?: number } = {},
): Promise<RecoveryWorld> {
  const dns = await TestDnsServer.start(dnsAddress);
  const sink = await new SmtpSink().start();
  const t = await startTestApp({
    DNS_SERVERS: dns.address,
    MAIL_TRANSPORT: sink.url,
    SENDER_AUTH: 'dmarc',
    ...env,
  });
  const smtpPort = t.app.get(SmtpIngressServer).port as number;
  return {
    t,
    dns,
    sink,
    smtpPort,
    close: async () => {
      await t.close();
      await sink.close();
      await dns.close();
    },
  };
}

/** What makeClinic and makeMember need: a database and the DNS server that publishes domains. */
export interface ClinicWorld {
  t: { dataSource: DataSource };
  dns: TestDnsServer;
}

export interface Clinic {
  organizationId: string;
  domain: string;
  key: DkimKey;
  last4: string;
  holderName: string;
}

/** A paid clinic on its own mail domain (SPF, DKIM, DMARC p=reject) with a card on file. */
export async function makeClinic(
  world: ClinicWorld,
  options: { plan?: 'paid' | 'academic'; studentId?: string } = {},
): Promise<Clinic> {
  const domain = `clinic-${randomBytes(4).toString('hex')}.test`;
  const key = generateDkimKey('s1');
  world.dns.publishDomain(domain, {
    spf: 'v=spf1 ip4:127.0.0.1 -all',
    dmarc: 'v=DMARC1; p=reject',
    dkim: { selector: key.selector, record: key.record },
  });
  const organization = await makeOrganization(world.t.dataSource, { plan: options.plan ?? 'paid' });
  // a last-4 no other test uses, so a match can only come from this clinic's record
  const last4 = String(randomInt(1000, 9999));
  const holderName = 'Åsa Öberg';
  await makeBilling(world.t.dataSource, organization.id, { kind: 'card', last4, holderName });
  if (options.studentId !== undefined) {
    await makeBilling(world.t.dataSource, organization.id, {
      kind: 'student',
      studentId: options.studentId,
    });
  }
  return { organizationId: organization.id, domain, key, last4, holderName };
}

export interface Member {
  id: string;
  email: string;
  password: string;
  secret?: string;
}

export async function makeMember(
  world: ClinicWorld,
  clinic: Clinic,
  role: Exclude<UserRole, 'agent'> = 'practitioner',
  options: { twoFactor?: boolean; locale?: 'sv' | 'en' } = {},
): Promise<Member> {
  const email = `${role}-${randomBytes(4).toString('hex')}@${clinic.domain}`;
  const user = await makeUser(world.t.dataSource, {
    organizationId: clinic.organizationId,
    role,
    email,
    name: role === 'owner' ? 'Åsa Öberg' : `Test ${role}`,
    locale: options.locale ?? 'en',
  });
  if (options.twoFactor === false) return { id: user.id, email, password: user.password };
  const { secret } = await makeActiveFactor(world.t.dataSource, user.id);
  return { id: user.id, email, password: user.password, secret };
}

/** An agent with 2FA, signed in with a code: its token may approve and deny for 15 minutes. */
export async function makeAgent(
  world: RecoveryWorld,
): Promise<{ id: string; token: string; secret: string }> {
  const agent = await makeSignedInAgent(world.t.http, world.t.dataSource);
  return { id: agent.id, token: agent.token, secret: agent.secret };
}

export interface SentRecovery {
  inboundId: string;
  messageId: string;
  state: string;
  requestId: string | null;
}

/** Sends a DKIM-signed message from `from` over real SMTP and waits for its final state. */
export async function sendRecoveryMail(
  world: RecoveryWorld,
  clinic: Clinic,
  from: string,
  body: string,
  options: {
    sign?: boolean;
    headers?: string[];
    fromHeader?: string;
    messageId?: string;
    /** SMTP MAIL FROM, when it should differ from the From header (SPF is checked on it) */
    envelopeFrom?: string;
    /** send `body` as an HTML-only message instead of text/plain */
    html?: boolean;
    /** send `body` under this Content-Type instead (a multipart body with its boundary, say) */
    contentType?: string;
    /** the Subject header (RFC 2047-encoded when it is not ASCII) */
    subject?: string;
  } = {},
): Promise<SentRecovery> {
  const messageId = options.messageId ?? uniqueMessageId(clinic.domain);
  const built = buildMessage({
    from: options.fromHeader ?? from,
    body,
    messageId,
    headers: options.headers,
    subject:
      options.subject === undefined || /^[\x20-\x7e]*$/.test(options.subject)
        ? options.subject
        : `=?UTF-8?B?${Buffer.from(options.subject).toString('base64')}?=`,
  });
  const contentType = options.contentType ?? (options.html ? 'text/html; charset=utf-8' : null);
  const raw =
    contentType === null
      ? built
      : built.replace('Content-Type: text/plain; charset=utf-8', `Content-Type: ${contentType}`);
  const signed = options.sign === false ? raw : await dkimSigned(raw, clinic.domain, clinic.key);
  const { id } = await sendSmtp(world.smtpPort, signed, {
    from: options.envelopeFrom ?? from,
    to: ['support@recovery-desk.test'],
  });
  const [row] = await waitForFinal(world.t.dataSource, [id]);
  const [link] = await world.t.dataSource.query<{ id: string }[]>(
    'SELECT id FROM recovery_requests WHERE inbound_message_id = $1',
    [id],
  );
  return { inboundId: id, messageId, state: row.state, requestId: link?.id ?? null };
}

export async function requestRow(db: DataSource, id: string) {
  const [row] = await db.query<Record<string, unknown>[]>(
    'SELECT * FROM recovery_requests WHERE id = $1',
    [id],
  );
  return row;
}

/** Waits for `count` mails to `address` in the sink and returns them. */
export async function mailsTo(sink: SmtpSink, address: string, count = 1): Promise<SunkMail[]> {
  return eventually(() => {
    const mails = sink.to(address);
    return mails.length >= count ? mails : undefined;
  }, `${count} mail(s) to ${address}`);
}
