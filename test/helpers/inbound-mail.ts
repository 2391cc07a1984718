/**
 * Helpers for the inbound-mail end-to-end tests: a real DNS server the tests control (UDP + TCP on
 * 127.0.0.1, answered by dns2) so the app's production resolver path (DNS_SERVERS) is the one
 * under test, real DKIM keys and signatures, a real SMTP client (nodemailer), and waits on the
 * inbound_messages table.
 */
import dns2 from 'dns2';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import nodemailer from 'nodemailer';
import type { DataSource } from 'typeorm';

const { Packet } = dns2;

/** A DNS server answering TXT questions from a table the test fills in. */
export class TestDnsServer {
  private readonly txt = new Map<string, string[]>();
  private readonly failing = new Set<string>();
  readonly queries: string[] = [];
  /** answer every question this much later (to make processing slow on purpose) */
  delayMs = 0;

  private constructor(
    private readonly udp: ReturnType<typeof dns2.createUDPServer>,
    private readonly tcp: ReturnType<typeof dns2.createTCPServer>,
    readonly host: string,
    readonly port: number,
  ) {}

  /**
   * `host` and `port` pin the address, for resolvers that can only be given an IP and always ask
   * on port 53 (test/helpers/postfix.ts); by default a free port on 127.0.0.1.
   */
  static async start(options: { host?: string; port?: number } = {}): Promise<TestDnsServer> {
    const host = options.host ?? '127.0.0.1';
    let server: TestDnsServer | undefined;
    const handle = (request: dns2.Packet, send: (response: dns2.Packet) => void) =>
      server?.answer(request, send);
    // answers too long for UDP are fetched again over TCP on the same port number, which may be
    // taken for TCP: try another UDP port then
    for (let attempt = 0; ; attempt += 1) {
      const udp = dns2.createUDPServer(handle);
      const tcp = dns2.createTCPServer(handle);
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(options.port ?? 0, host, resolve);
      });
      const port = udp.address().port;
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, host, resolve);
        });
      } catch (error) {
        udp.close();
        if (attempt >= 20 || options.port !== undefined) throw error;
        continue;
      }
      server = new TestDnsServer(udp, tcp, host, port);
      return server;
    }
  }

  /** For DNS_SERVERS. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  setTxt(name: string, value: string | null): void {
    if (value === null) this.txt.delete(name.toLowerCase());
    else this.txt.set(name.toLowerCase(), value.match(/.{1,255}/g) ?? ['']);
  }

  /** Every question for this name (or under it) gets SERVFAIL: a temporary DNS error. */
  setFailing(domain: string, failing: boolean): void {
    if (failing) this.failing.add(domain.toLowerCase());
    else this.failing.delete(domain.toLowerCase());
  }

  /** SPF, DMARC and (optionally) a DKIM key for a domain. */
  publishDomain(
    domain: string,
    records: { spf?: string; dmarc?: string; dkim?: { selector: string; record: string } },
  ): void {
    if (records.spf !== undefined) this.setTxt(domain, records.spf);
    if (records.dmarc !== undefined) this.setTxt(`_dmarc.${domain}`, records.dmarc);
    if (records.dkim !== undefined) {
      this.setTxt(`${records.dkim.selector}._domainkey.${domain}`, records.dkim.record);
    }
  }

  /** The TXT records published so far, by lower-case name (the bench answers from them). */
  txtRecords(): ReadonlyMap<string, string[]> {
    return this.txt;
  }

  async close(): Promise<void> {
    this.udp.close();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }

  private answer(request: dns2.Packet, send: (response: dns2.Packet) => void): void {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    const name = question.name.toLowerCase();
    this.queries.push(name);
    const failing = [...this.failing].some((d) => name === d || name.endsWith(`.${d}`));
    const txt = this.txt.get(name);
    if (failing) {
      response.header.rcode = 2; // SERVFAIL
    } else if (question.type === Packet.TYPE.TXT && txt !== undefined) {
      response.answers.push({
        name: question.name,
        type: Packet.TYPE.TXT,
        class: Packet.CLASS.IN,
        ttl: 1,
        data: txt,
      } as unknown as dns2.Packet.Resource);
    } else if (!this.txt.has(name)) {
      response.header.rcode = 3; // NXDOMAIN
    }
    if (this.delayMs > 0) setTimeout(() => send(response), this.delayMs);
    else send(response);
  }
}

export interface DkimKey {
  selector: string;
  privateKey: string;
  /** the TXT record for selector._domainkey.domain */
  record: string;
}

/** A fresh 2048-bit RSA key pair and its DKIM TXT record. */
export function generateDkimKey(selector = 'sel'): DkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    record: `v=DKIM1; k=rsa; p=${spki}`,
  };
}

/** Prepends a real DKIM-Signature (relaxed/relaxed, rsa-sha256); `bodyLength` sets `l=`. */
export async function dkimSigned(
  raw: string,
  domain: string,
  key: DkimKey,
  bodyLength?: number,
): Promise<string> {
  const { signatures } = await dkimSign(raw, {
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
    signatureData: [
      {
        signingDomain: domain,
        selector: key.selector,
        privateKey: key.privateKey,
        ...(bodyLength === undefined ? {} : { maxBodyLength: bodyLength }),
      },
    ],
  });
  return signatures + raw;
}

export function uniqueMessageId(domain = 'example.test'): string {
  return `<${Date.now().toString(36)}.${randomBytes(6).toString('hex')}@${domain}>`;
}

/** A simple text/plain message with CRLF line ends. */
export function buildMessage(options: {
  from: string;
  to?: string;
  subject?: string;
  body?: string;
  messageId?: string | null;
  headers?: string[];
}): string {
  const lines = [
    ...(options.headers ?? []),
    `From: ${options.from}`,
    `To: ${options.to ?? 'support@recovery-desk.test'}`,
    `Subject: ${options.subject ?? 'I lost my phone'}`,
    'Date: Tue, 25 Nov 2025 10:00:00 +0100',
    ...(options.messageId === null
      ? []
      : [`Message-ID: ${options.messageId ?? uniqueMessageId()}`]),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    options.body ?? 'Hello, I lost my phone. My card ends with 4242.',
    '',
  ];
  return lines.join('\r\n');
}

export interface SmtpResult {
  response: string;
  id: string;
}

/** Delivers a raw message over real SMTP; rejects with nodemailer's error (responseCode). */
export async function sendSmtp(
  port: number,
  raw: string | Buffer,
  envelope: { from: string; to: string[] },
  helo = 'client.example.test',
): Promise<SmtpResult> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    name: helo,
    connectionTimeout: 10000,
    socketTimeout: 60000,
  });
  try {
    const info = await transport.sendMail({ envelope, raw });
    const id = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(info.response);
    if (id === null) throw new Error(`no id in "${info.response}"`);
    return { response: info.response, id: id[1] };
  } finally {
    transport.close();
  }
}

/** What one SMTP delivery got: the reply code (0: no reply, the connection failed). */
export interface SmtpOutcome {
  code: number;
  /** the stored id, with 250 */
  id?: string;
}

/** sendSmtp that never throws: for traffic whose refusals are counted, not fatal. */
export async function trySendSmtp(
  port: number,
  raw: string | Buffer,
  envelope: { from: string; to: string[] },
): Promise<SmtpOutcome> {
  try {
    const sent = await sendSmtp(port, raw, envelope);
    return { code: Number(sent.response.slice(0, 3)), id: sent.id };
  } catch (error) {
    const code = (error as { responseCode?: unknown }).responseCode;
    return { code: typeof code === 'number' ? code : 0 };
  }
}

export interface InboundRow {
  id: string;
  state: string;
  reason: string | null;
  decision: string | null;
  authentication: { result: string; method: string; detail: string } | null;
  duplicate_of: string | null;
  attempts: number;
  raw_purged: boolean;
}

export async function inboundRows(db: DataSource, ids: string[]): Promise<InboundRow[]> {
  return db.query(
    `SELECT id, state, reason, decision, authentication, duplicate_of, attempts,
            raw IS NULL AS raw_purged
       FROM inbound_messages WHERE id = ANY($1) ORDER BY received_at, id`,
    [ids],
  );
}

/** Waits until every message has left `stored`, and returns their rows (in the order given). */
export async function waitForFinal(
  db: DataSource,
  ids: string[],
  timeoutMs = 45000,
): Promise<InboundRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await inboundRows(db, ids);
    if (rows.length === ids.length && rows.every((row) => row.state !== 'stored')) {
      return ids.map((id) => rows.find((row) => row.id === id) as InboundRow);
    }
    if (Date.now() > deadline) {
      throw new Error(`still stored after ${timeoutMs} ms: ${JSON.stringify(rows)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Exactly one outcome per message: one final audit event each, none left stored. */
export async function expectProcessedOnce(db: DataSource, ids: string[]): Promise<void> {
  const rows = await inboundRows(db, ids);
  expect(rows).toHaveLength(ids.length);
  for (const row of rows) expect(row.state).toBe('processed');
  const events: { subject_id: string; n: number }[] = await db.query(
    `SELECT subject_id, count(*)::int AS n FROM audit_events
      WHERE subject_id = ANY($1) AND action LIKE 'inbound_message.%' GROUP BY subject_id`,
    [ids],
  );
  expect(events).toHaveLength(ids.length);
  for (const event of events) expect(event.n).toBe(1);
  const [{ present }] = await db.query<{ present: boolean }[]>(
    `SELECT to_regclass('public.recovery_requests') IS NOT NULL AS present`,
  );
  if (present) {
    const duplicates: unknown[] = await db.query(
      `SELECT inbound_message_id FROM recovery_requests WHERE inbound_message_id = ANY($1)
        GROUP BY inbound_message_id HAVING count(*) > 1`,
      [ids],
    );
    expect(duplicates).toEqual([]);
  }
}

/**
 * No mail went out: nothing in the file outbox and, once the mail module's outbox table exists,
 * no row addressed to any of these addresses.
 */
export async function expectNoOutboundMail(
  db: DataSource,
  outboxDir: string,
  addresses: string[],
): Promise<void> {
  if (outboxDir !== '' && existsSync(outboxDir)) {
    expect(readdirSync(outboxDir)).toEqual([]);
  }
  const [{ present }] = await db.query<{ present: boolean }[]>(
    `SELECT to_regclass('public.outbound_mails') IS NOT NULL AS present`,
  );
  if (present) {
    const rows: unknown[] = await db.query(
      `SELECT id FROM outbound_mails WHERE lower(to_address) = ANY($1)`,
      [addresses.map((address) => address.toLowerCase())],
    );
    expect(rows).toEqual([]);
  }
}
