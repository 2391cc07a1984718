/**
 * The inbound pipeline under load: realistic recovery mails from members with active 2FA,
 * DKIM-signed for their clinic's domain (published with SPF and DMARC p=reject on a DNS server
 * of the bench's own, which the app uses through DNS_SERVERS), delivered over real SMTP by a
 * pooled nodemailer client — so the full path runs: accept and store, queue, parse, automatic-mail
 * check, SPF/DKIM/DMARC, sender match, 2FA and evidence checks, request, audit, outbound mail.
 * And the yardstick: bare mailparser `simpleParser` on the very same bytes, in this process.
 */
import { simpleParser } from 'mailparser';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import type { Client } from 'pg';
import {
  buildMessage,
  DkimKey,
  dkimSigned,
  TestDnsServer,
  uniqueMessageId,
} from '../test/helpers/inbound-mail';
import { cardLast4, domainOf, holderName, memberEmail } from './population';

export const SUPPORT_ADDRESS = 'support@recovery-desk.test';

export interface Mail {
  envelopeFrom: string;
  raw: Buffer;
}

/** The DNS side of the clinics that send mail, published once per domain. */
export class MailDomains {
  private readonly published = new Set<number>();

  constructor(
    readonly dns: TestDnsServer,
    readonly key: DkimKey,
  ) {}

  publish(g: number): void {
    if (this.published.has(g)) return;
    this.published.add(g);
    this.dns.publishDomain(domainOf(g), {
      spf: 'v=spf1 ip4:127.0.0.1 -all',
      dmarc: 'v=DMARC1; p=reject',
      dkim: { selector: this.key.selector, record: this.key.record },
    });
  }
}

/** What a member writes after losing their phone: the card's last 4 and its holder's name. */
export async function recoveryMail(domains: MailDomains, g: number): Promise<Mail> {
  domains.publish(g);
  const body = [
    'Hello,',
    '',
    'I lost my phone with the authenticator app and cannot sign in any more.',
    `Our clinic pays with the card ending in ${cardLast4(g)}, card holder ${holderName(g)}.`,
    'Could you please reset my two-factor authentication?',
    '',
    'Best regards,',
    holderName(g),
  ].join('\r\n');
  const raw = buildMessage({
    from: `Member ${g} <${memberEmail(g)}>`,
    to: SUPPORT_ADDRESS,
    subject: 'Lost my phone, cannot sign in',
    body,
    messageId: uniqueMessageId(domainOf(g)),
  });
  const signed = await dkimSigned(raw, domainOf(g), domains.key);
  return { envelopeFrom: memberEmail(g), raw: Buffer.from(signed, 'utf8') };
}

/** A recovery mail with a scanned document attached, `totalBytes` long in all (base64 inside). */
export async function bigRecoveryMail(
  domains: MailDomains,
  g: number,
  totalBytes: number,
): Promise<Mail> {
  domains.publish(g);
  const boundary = `b-${randomBytes(8).toString('hex')}`;
  const head = [
    `From: Member ${g} <${memberEmail(g)}>`,
    `To: ${SUPPORT_ADDRESS}`,
    'Subject: Lost my phone, my ID card attached',
    'Date: Tue, 25 Nov 2025 10:00:00 +0100',
    `Message-ID: ${uniqueMessageId(domainOf(g))}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `I lost my phone. Card ending in ${cardLast4(g)}, holder ${holderName(g)}. Scan attached.`,
    `--${boundary}`,
    'Content-Type: application/pdf; name="id-card.pdf"',
    'Content-Disposition: attachment; filename="id-card.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    '',
  ].join('\r\n');
  const tail = `\r\n--${boundary}--\r\n`;
  // room for the DKIM-Signature header that signing prepends
  const lines = Math.floor((totalBytes - head.length - tail.length - 1024) / 78);
  const payload = randomBytes(lines * 57).toString('base64');
  const parts: string[] = [];
  for (let i = 0; i < lines; i += 1) parts.push(payload.slice(i * 76, i * 76 + 76));
  const raw = head + parts.join('\r\n') + tail;
  const signed = await dkimSigned(raw, domainOf(g), domains.key);
  return { envelopeFrom: memberEmail(g), raw: Buffer.from(signed, 'utf8') };
}

/** Bare mailparser, one message after another (as fast as one core parses), messages/s. */
export async function parseBaseline(mails: Mail[]): Promise<number> {
  // one untimed pass first: a cold JIT would make the yardstick drift from one scale to the next
  for (const mail of mails) await simpleParser(mail.raw);
  const start = performance.now();
  for (const mail of mails) await simpleParser(mail.raw);
  return mails.length / ((performance.now() - start) / 1000);
}

export interface Delivery {
  ids: string[];
  /** ms since `start` when the last 250 came back */
  acceptedMs: number;
}

/** Delivers every mail over a pool of SMTP connections; the stored ids, in order. */
export async function deliver(
  smtpPort: number,
  mails: Mail[],
  connections: number,
  start: number,
): Promise<Delivery> {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: connections,
    // the server asks for a new connection after 100 messages (smtp-ingress SMTP_LIMITS)
    maxMessages: 100,
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    name: 'mx.bench.test',
    connectionTimeout: 30_000,
    socketTimeout: 120_000,
  });
  try {
    const ids = await Promise.all(
      mails.map(async (mail) => {
        const info = await transport.sendMail({
          envelope: { from: mail.envelopeFrom, to: [SUPPORT_ADDRESS] },
          raw: mail.raw,
        });
        const id = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(
          String(info.response),
        );
        if (id === null) throw new Error(`no stored id in "${String(info.response)}"`);
        return id[1];
      }),
    );
    return { ids, acceptedMs: performance.now() - start };
  } finally {
    transport.close();
  }
}

/**
 * Waits until every message has left `stored` and has its recovery request; resolves with the
 * ms since `start` at that moment (polled every 100 ms), or throws after the deadline.
 */
export async function waitProcessed(
  db: Client,
  ids: string[],
  start: number,
  timeoutMs: number,
): Promise<number> {
  for (;;) {
    const [row] = (
      await db.query<{ waiting: string; requests: string }>(
        `SELECT (SELECT count(*) FROM inbound_messages
                  WHERE id = ANY($1::uuid[]) AND state = 'stored') AS waiting,
                (SELECT count(*) FROM recovery_requests
                  WHERE inbound_message_id = ANY($1::uuid[])) AS requests`,
        [ids],
      )
    ).rows;
    if (Number(row.waiting) === 0 && Number(row.requests) === ids.length) {
      return performance.now() - start;
    }
    if (performance.now() - start > timeoutMs) {
      throw new Error(
        `after ${Math.round(timeoutMs / 1000)} s: ${row.waiting} of ${ids.length} still stored, ` +
          `${row.requests} requests`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** e.g. "awaiting_approval 500" or "awaiting_approval 480, rejected/duplicate_request 20". */
export async function outcomes(db: Client, ids: string[]): Promise<string> {
  const rows = (
    await db.query<{ outcome: string; n: string }>(
      `SELECT CASE WHEN state = 'stored' THEN 'not yet decided' ELSE
                coalesce(decision, state) || coalesce('/' || reason, '') ||
                CASE WHEN authentication->>'result' = 'pass' THEN '' ELSE ' (sender auth '
                  || coalesce(authentication->>'result', '-') || ')' END END AS outcome,
              count(*) AS n
         FROM inbound_messages WHERE id = ANY($1::uuid[]) GROUP BY 1 ORDER BY 2 DESC`,
      [ids],
    )
  ).rows;
  return rows.map((row) => `${row.outcome} ${row.n}`).join(', ');
}
