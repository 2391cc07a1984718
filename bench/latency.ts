/**
 * Latency at a steady rate: recovery mails sent at a fixed pace (20/s by default) for a while,
 * each timed from its `250` (accepted) to the moment its row has left `stored` (decided), on the
 * bench's own clock (the database is polled every POLL_MS, so a figure can be up to that much
 * late). Beside it the same interval on the database's clock (received_at -> processed_at), and
 * the app's own histogram `recovery_desk_inbound_decision_seconds` from GET /metrics when the
 * build has one.
 */
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import type { Client } from 'pg';
import { Mail, SUPPORT_ADDRESS } from './inbound';

const POLL_MS = 50;

export interface LatencyFigures {
  rate: number;
  seconds: number;
  messages: number;
  /** bench clock, ms */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** database clock (received_at -> processed_at), ms */
  dbP99Ms: number;
  /** from the app's histogram: the upper bound of the bucket holding the 99th percentile */
  metricsP99Ms: number | undefined;
  metricsNote: string;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The histogram's cumulative buckets (le -> count), summed over every other label. */
type Buckets = Map<number, number>;

/**
 * Reads `recovery_desk_inbound_decision_seconds_bucket` from GET /metrics (with the bearer token
 * when one is set). undefined when the build has no such endpoint or family.
 */
export async function readDecisionHistogram(
  httpUrl: string,
  token: string | undefined,
): Promise<Buckets | undefined> {
  const response = await fetch(`${httpUrl}/metrics`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  }).catch(() => undefined);
  if (response === undefined || response.status !== 200) return undefined;
  const text = await response.text();
  const buckets: Buckets = new Map();
  const line = /^recovery_desk_inbound_decision_seconds_bucket\{([^}]*)\}\s+(\S+)/gm;
  for (let match = line.exec(text); match !== null; match = line.exec(text)) {
    const le = /le="([^"]+)"/.exec(match[1])?.[1];
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  return buckets.size === 0 ? undefined : buckets;
}

/** The upper bound (ms) of the bucket where the p-th percentile of (after - before) falls. */
export function histogramPercentileMs(before: Buckets, after: Buckets, p: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = bounds.map((bound) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0));
  const total = delta[delta.length - 1];
  if (!(total > 0)) return Number.NaN;
  const index = delta.findIndex((count) => count >= (p / 100) * total);
  return bounds[index] * 1000;
}

export async function measureSteadyLatency(options: {
  smtpPort: number;
  httpUrl: string;
  metricsToken: string | undefined;
  db: Client;
  mails: Mail[];
  rate: number;
  connections: number;
}): Promise<LatencyFigures> {
  const { db, mails, rate } = options;
  const histogramBefore = await readDecisionHistogram(options.httpUrl, options.metricsToken);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: options.connections,
    maxMessages: 100,
    host: '127.0.0.1',
    port: options.smtpPort,
    secure: false,
    ignoreTLS: true,
    name: 'mx.bench.test',
    connectionTimeout: 30_000,
    socketTimeout: 120_000,
  });
  const acceptedAt = new Map<string, number>();
  const decidedAt = new Map<string, number>();
  let sending = true;
  const poll = (async () => {
    while (sending || decidedAt.size < acceptedAt.size) {
      const waiting = [...acceptedAt.keys()].filter((id) => !decidedAt.has(id));
      if (waiting.length > 0) {
        const { rows } = await db.query<{ id: string }>(
          `SELECT id FROM inbound_messages WHERE id = ANY($1::uuid[]) AND state <> 'stored'`,
          [waiting],
        );
        const now = performance.now();
        for (const row of rows) decidedAt.set(row.id, now);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  const start = performance.now();
  try {
    await Promise.all(
      mails.map(async (mail, i) => {
        // a steady pace: message i leaves at start + i / rate, whatever the answers do
        const due = start + (i * 1000) / rate;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
        const info = await transport.sendMail({
          envelope: { from: mail.envelopeFrom, to: [SUPPORT_ADDRESS] },
          raw: mail.raw,
        });
        const accepted = performance.now();
        const id = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/.exec(
          String(info.response),
        );
        if (id === null) throw new Error(`no stored id in "${String(info.response)}"`);
        acceptedAt.set(id[1], accepted);
      }),
    );
  } finally {
    transport.close();
  }
  const deadline = performance.now() + 300_000;
  while (decidedAt.size < acceptedAt.size && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  sending = false;
  await poll;
  if (decidedAt.size < acceptedAt.size) {
    throw new Error(`${acceptedAt.size - decidedAt.size} messages undecided after 5 minutes`);
  }
  const latencies = [...acceptedAt].map(([id, at]) => (decidedAt.get(id) as number) - at);
  const { rows } = await db.query<{ ms: number }>(
    `SELECT extract(epoch FROM processed_at - received_at) * 1000 AS ms
       FROM inbound_messages WHERE id = ANY($1::uuid[])`,
    [[...acceptedAt.keys()]],
  );
  const histogramAfter = await readDecisionHistogram(options.httpUrl, options.metricsToken);
  const fromMetrics =
    histogramBefore !== undefined && histogramAfter !== undefined
      ? histogramPercentileMs(histogramBefore, histogramAfter, 99)
      : undefined;
  return {
    rate,
    seconds: mails.length / rate,
    messages: mails.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
    dbP99Ms: percentile(
      rows.map((row) => Number(row.ms)),
      99,
    ),
    metricsP99Ms: fromMetrics,
    metricsNote:
      fromMetrics === undefined
        ? 'GET /metrics has no recovery_desk_inbound_decision_seconds in this build'
        : 'GET /metrics recovery_desk_inbound_decision_seconds (bucket upper bound)',
  };
}
