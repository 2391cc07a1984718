/**
 * The floor under the pipeline figure: what the libraries the pipeline is built on cost per
 * message by themselves, in this process, with nothing of the app around them. Each step runs
 * the same messages as the timed run and is measured in CPU time (user + system) per message,
 * so it reads the same on a busy and a quiet machine, within a few percent.
 *
 * Per accepted message the pipeline does, at the least: one SMTP exchange in (smtp-server with
 * a nodemailer client: both ends are measured together, in this process), one parse (mailparser, the yardstick), one DKIM/SPF/DMARC check (mailauth,
 * its DNS answered from memory), two outbound mails composed (nodemailer) and sent over SMTP,
 * three BullMQ jobs added and processed (one inbound, two mails), and the statements counted by
 * scripts/bench-probe.js (about 23, each a round trip to PostgreSQL through `pg`).
 */
import { Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { simpleParser } from 'mailparser';
import { authenticate } from 'mailauth';
import { randomBytes, randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { renderMail } from '../src/mail/mail-templates';
import type { Mail, MailDomains } from './inbound';
import { SUPPORT_ADDRESS } from './inbound';

/** PostgreSQL statements per accepted message (scripts/bench-probe.js, this release). */
export const STATEMENTS_PER_MESSAGE = 23;

export interface FloorFigures {
  /** CPU ms per message of each step (smtpExchangeMs: client and server end together) */
  parseMs: number;
  smtpExchangeMs: number;
  mailauthMs: number;
  composeMs: number;
  jobMs: number;
  statementMs: number;
  /** the sum per accepted message, with each step counted as often as the pipeline runs it */
  floorMs: number;
  /** the highest pipeline / mailparser ratio those libraries leave room for: parse ÷ floor */
  ceilingRatio: number;
}

/** Each step sees the messages this many times; the first time is not timed (a cold JIT). */
const PASSES = 3;

async function cpuMsPer<T>(
  once: T[],
  concurrency: number,
  step: (item: T) => Promise<unknown>,
): Promise<number> {
  await runAll(once, concurrency, step);
  const items = Array.from({ length: PASSES - 1 }, () => once).flat();
  const before = process.cpuUsage();
  await runAll(items, concurrency, step);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / items.length;
}

async function runAll<T>(
  items: T[],
  concurrency: number,
  step: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        await step(item);
      }
    }),
  );
}

/** TXT records of the senders' domains, answered from memory (no socket, no c-ares). */
function memoryResolver(records: ReadonlyMap<string, string[]>) {
  return async (name: string, rrtype: string): Promise<string[][]> => {
    const values = rrtype === 'TXT' ? records.get(name.toLowerCase()) : undefined;
    if (values === undefined) {
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    }
    return values.map((value) => [value]);
  };
}

async function smtpExchange(mails: Mail[]): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => callback(null, `OK: stored as ${Buffer.concat(chunks).length}`));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 4,
    maxMessages: 100,
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
  });
  try {
    return await cpuMsPer(mails, 8, (mail) =>
      transport.sendMail({
        envelope: { from: mail.envelopeFrom, to: [SUPPORT_ADDRESS] },
        raw: mail.raw,
      }),
    );
  } finally {
    transport.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function composeReply(i: number): Promise<Buffer> {
  const rendered = renderMail(
    'recovery_received',
    i % 2 === 0 ? 'en' : 'sv',
    {
      name: `Member ${i}`,
      cancelUrl: `https://desk.example/recovery/cancel/${randomBytes(32).toString('base64url')}`,
      expiresAt: new Date().toISOString(),
      reportUrl: `https://desk.example/report/${randomBytes(32).toString('base64url')}`,
    },
    { supportAddress: SUPPORT_ADDRESS },
  );
  const node = new MailComposer({
    from: `Recovery Desk <${SUPPORT_ADDRESS}>`,
    to: `member${i}@clinic.example`,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    messageId: `<${randomBytes(12).toString('hex')}@recovery-desk.test>`,
    date: new Date(),
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
  }).compile();
  return node.build();
}

async function jobs(redisUrl: string, count: number): Promise<number> {
  const prefix = `rd-bench-floor-${randomBytes(4).toString('hex')}`;
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue('floor', { connection, prefix });
  // each run waits for its own number of completions
  let waiting = { left: 0, finished: () => {} };
  const worker = new Worker('floor', async () => undefined, {
    connection,
    prefix,
    concurrency: 4,
    removeOnComplete: { count: 0 },
  });
  worker.on('completed', () => {
    waiting.left -= 1;
    if (waiting.left === 0) waiting.finished();
  });
  try {
    const run = async (n: number) => {
      const all = new Promise<void>((resolve) => (waiting = { left: n, finished: resolve }));
      const ids = Array.from({ length: n }, () => randomBytes(8).toString('hex'));
      for (let i = 0; i < ids.length; i += 8) {
        await queue.addBulk(
          ids.slice(i, i + 8).map((jobId) => ({
            name: 'job',
            data: { id: jobId },
            opts: { jobId, removeOnComplete: true },
          })),
        );
      }
      await all;
    };
    await run(50);
    const before = process.cpuUsage();
    await run(count);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / count;
  } finally {
    await worker.close();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await queue.close();
  }
}

async function statements(databaseUrl: string, count: number): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('CREATE TEMP TABLE floor_rows (id uuid PRIMARY KEY, body bytea)');
    const ids = Array.from({ length: count }, () => randomUUID());
    return await cpuMsPer(ids, 1, (id) =>
      client.query('INSERT INTO floor_rows (id, body) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        id,
        randomBytes(64),
      ]),
    );
  } finally {
    await client.end();
  }
}

export async function measureFloor(
  domains: MailDomains,
  mails: Mail[],
  urls: { databaseUrl: string; redisUrl: string },
): Promise<FloorFigures> {
  const resolver = memoryResolver(domains.dns.txtRecords());
  const parseMs = await cpuMsPer(mails, 1, (mail) => simpleParser(mail.raw));
  const mailauthMs = await cpuMsPer(mails, 4, (mail) =>
    authenticate(mail.raw, {
      ip: '127.0.0.1',
      helo: 'mx.bench.test',
      sender: mail.envelopeFrom,
      resolver,
      disableArc: true,
      disableBimi: true,
    }),
  );
  const smtpExchangeMs = await smtpExchange(mails);
  const composeMs = await cpuMsPer(
    mails.map((_, i) => i),
    4,
    composeReply,
  );
  const jobMs = await jobs(urls.redisUrl, mails.length);
  const statementMs = await statements(urls.databaseUrl, mails.length * 2);
  // the app is the server end of one exchange and the client end of two; both ends were
  // measured together, so one and a half exchanges stand for that
  const floorMs =
    parseMs +
    mailauthMs +
    1.5 * smtpExchangeMs +
    2 * composeMs +
    3 * jobMs +
    STATEMENTS_PER_MESSAGE * statementMs;
  return {
    parseMs,
    smtpExchangeMs,
    mailauthMs,
    composeMs,
    jobMs,
    statementMs,
    floorMs,
    // both in CPU time of this process, so a slow moment of a shared machine cancels out
    ceilingRatio: parseMs / floorMs,
  };
}
