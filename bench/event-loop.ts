/**
 * Does a large message stall the API? `GET /health` is probed back to back (a few probes in
 * flight, keep-alive) for a quiet stretch, then while a 2 MiB single-part text recovery mail is
 * accepted, parsed, DKIM-checked and decided in the same process (all roles in one). A large text
 * part is the case that blocks an event loop in a naive parse (mailparser turns text into HTML
 * with links in one go); the figure is the probe's p99 during the processing.
 */
import { simpleParser } from 'mailparser';
import { authenticate } from 'mailauth';
import { performance } from 'node:perf_hooks';
import { buildResolver } from '../src/recovery/inbound-email/sender-auth';
import { deliver, Mail, MailDomains, SUPPORT_ADDRESS, waitProcessed } from './inbound';
import { dkimSigned, uniqueMessageId } from '../test/helpers/inbound-mail';
import { cardLast4, domainOf, holderName, memberEmail } from './population';

const PROBES_IN_FLIGHT = 2;
const QUIET_SECONDS = 3;

export interface LoopFigures {
  bytes: number;
  messages: number;
  quietP99Ms: number;
  busyP99Ms: number;
  busyMaxMs: number;
  busyProbes: number;
  /** probes answered other than 200, quiet + busy */
  failures: number;
  /** first send until the last big message was decided */
  processSeconds: number;
  /**
   * The same message in the bench process, for comparison: the longest stall of this process's
   * event loop while bare mailparser parses it and while mailauth checks it inline (what the
   * app did before the check moved to a worker thread), ms.
   */
  inlineParseStallMs: number;
  inlineAuthStallMs: number;
}

/** The longest gap between 1 ms timer ticks while `work` runs, ms. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

/** Inline mailparser and mailauth on the message, each run twice; the smaller stall of each. */
export async function inlineStalls(mail: Mail, dnsServer: string) {
  const resolver = buildResolver([dnsServer]);
  const check = () =>
    authenticate(mail.raw, {
      ip: '127.0.0.1',
      helo: 'mx.bench.test',
      sender: mail.envelopeFrom,
      resolver,
      disableArc: true,
      disableBimi: true,
    });
  const parse = Math.min(
    await longestStall(() => simpleParser(mail.raw)),
    await longestStall(() => simpleParser(mail.raw)),
  );
  const auth = Math.min(await longestStall(check), await longestStall(check));
  return { inlineParseStallMs: parse, inlineAuthStallMs: auth };
}

/** A recovery mail whose one text/plain part is `totalBytes` of ordinary prose. */
export async function bigTextMail(domains: MailDomains, g: number, totalBytes: number) {
  domains.publish(g);
  const words = ['I', 'lost', 'my', 'phone', 'and', 'cannot', 'sign', 'in', 'see', 'the', 'card'];
  const lines = [
    `Card ending in ${cardLast4(g)}, holder ${holderName(g)}. The whole story follows.`,
  ];
  let size = lines[0].length;
  for (let i = 0; size < totalBytes - 2048; i += 1) {
    const line: string[] = [];
    for (let w = 0; w < 12; w += 1) line.push(words[(i * 7 + w * 3) % words.length]);
    if (i % 50 === 0) line.push('https://www.example.test/help');
    const text = line.join(' ');
    lines.push(text);
    size += text.length + 2;
  }
  const raw = [
    `From: Member ${g} <${memberEmail(g)}>`,
    `To: ${SUPPORT_ADDRESS}`,
    'Subject: Lost my phone (long letter)',
    'Date: Tue, 25 Nov 2025 10:00:00 +0100',
    `Message-ID: ${uniqueMessageId(domainOf(g))}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...lines,
    '',
  ].join('\r\n');
  const signed = await dkimSigned(raw, domainOf(g), domains.key);
  return { envelopeFrom: memberEmail(g), raw: Buffer.from(signed, 'utf8') } satisfies Mail;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Probes /health until `stop` resolves; the latencies in ms, and the answers other than 200 (a
 * 503 says a dependency check timed out: it still answered, and its latency counts).
 */
async function probe(
  httpUrl: string,
  stop: Promise<unknown>,
): Promise<{ latencies: number[]; failures: number }> {
  let running = true;
  void stop.finally(() => (running = false));
  const latencies: number[] = [];
  let failures = 0;
  const loop = async () => {
    while (running) {
      const start = performance.now();
      const response = await fetch(`${httpUrl}/health`);
      await response.arrayBuffer();
      if (response.status !== 200) failures += 1;
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: PROBES_IN_FLIGHT }, loop));
  return { latencies, failures };
}

export async function measureEventLoop(
  httpUrl: string,
  smtpPort: number,
  db: import('pg').Client,
  mails: Mail[],
  dnsServer: string,
): Promise<LoopFigures> {
  const inline = await inlineStalls(mails[0], dnsServer);
  const quiet = await probe(
    httpUrl,
    new Promise((resolve) => setTimeout(resolve, QUIET_SECONDS * 1000)),
  );
  const start = performance.now();
  const work = (async () => {
    // one after another: each message's processing is a window of its own
    for (const mail of mails) {
      const at = performance.now();
      const { ids } = await deliver(smtpPort, [mail], 1, at);
      await waitProcessed(db, ids, at, 120_000);
    }
  })();
  const busy = await probe(httpUrl, work);
  await work;
  return {
    bytes: mails[0].raw.length,
    messages: mails.length,
    quietP99Ms: percentile(quiet.latencies, 99),
    busyP99Ms: percentile(busy.latencies, 99),
    busyMaxMs: Math.max(...busy.latencies),
    busyProbes: busy.latencies.length,
    failures: quiet.failures + busy.failures,
    processSeconds: (performance.now() - start) / 1000,
    ...inline,
  };
}
