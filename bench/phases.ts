/**
 * The measurements: the inbound pipeline and sign-in at one scale, and the memory of the app
 * process under one big message and a burst of small ones.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { AppProcess, readCpuSeconds, readMemory, resetPeak } from './app-process';
import {
  bigRecoveryMail,
  deliver,
  Mail,
  MailDomains,
  outcomes,
  parseBaseline,
  recoveryMail,
  waitProcessed,
} from './inbound';
import { FloorFigures, measureFloor } from './floor';
import type { BenchParams } from './params';
import { countRows, memberEmail, ownerEmail } from './population';
import { LoadResult, loadHealth, loadLogin, scryptCeiling } from './sign-in';

/** Messages sent (and processed) before each timed inbound run, so neither side runs cold. */
const WARMUP_MESSAGES = 20;
/** Accounts the sign-in load rotates over. */
const SIGN_IN_ACCOUNTS = 2000;

export interface Context {
  params: BenchParams;
  db: Client;
  /** the bench database, for the floor's own connection */
  databaseUrl: string;
  app: AppProcess;
  domains: MailDomains;
  password: string;
  passwordHash: string;
  /** the app's RSS right after start-up, MiB */
  startMiB: number;
  /** organizations whose member has already written (a second mail would be a duplicate) */
  used: Set<number>;
  log(line: string): void;
}

export interface ScaleFigures {
  users: number;
  billing: number;
  messages: number;
  parseRate: number;
  pipelineRate: number;
  acceptRate: number;
  cpuMsPerMessage: number;
  outcomes: string;
  outboxSeconds: number;
  scryptRate: number;
  health: LoadResult;
  loginDone: LoadResult;
  loginTotp: LoadResult;
  signInPeakMiB: number;
  /** what the pipeline's libraries alone cost per message (first scale only) */
  floor?: FloorFigures;
}

export interface MemoryFigures {
  startMiB: number;
  idleMiB: number;
  bigBytes: number;
  bigPeakMiB: number;
  bigAfterMiB: number;
  burstMessages: number;
  burstAcceptRate: number;
  /** decided by the end of the window (all of them when the window was long enough) */
  burstProcessed: number;
  burstSeconds: number;
  burstOutcomes: string;
  burstPeakMiB: number;
  burstAfterMiB: number;
  peakIsPerPhase: boolean;
}

/** Organizations in [from, to) whose member has not written yet, at random; then reused ones. */
export function pickSenders(ctx: Context, from: number, to: number, count: number): number[] {
  const picked: number[] = [];
  const free = to - from - [...ctx.used].filter((g) => g >= from && g < to).length;
  if (free > count * 4) {
    while (picked.length < count) {
      const g = from + Math.floor(Math.random() * (to - from));
      if (!ctx.used.has(g)) {
        ctx.used.add(g);
        picked.push(g);
      }
    }
    return picked;
  }
  for (let g = from; g < to && picked.length < count; g += 1) {
    if (!ctx.used.has(g)) {
      ctx.used.add(g);
      picked.push(g);
    }
  }
  // the range is exhausted: members write again (their mails end as duplicate_request)
  for (let i = 0; picked.length < count; i += 1) picked.push(from + (i % (to - from)));
  return picked;
}

export async function sign(ctx: Context, orgs: number[]): Promise<Mail[]> {
  const mails: Mail[] = [];
  for (const g of orgs) mails.push(await recoveryMail(ctx.domains, g));
  return mails;
}

/** Delivers, then waits for every decision; returns the ids and the rate, first send to done. */
async function pipeline(ctx: Context, mails: Mail[]) {
  const cpuBefore = readCpuSeconds(ctx.app.pid);
  const start = performance.now();
  const delivery = await deliver(ctx.app.smtpPort, mails, ctx.params.smtpConnections, start);
  const timeoutMs = Math.max(180_000, mails.length * 150);
  const doneMs = await waitProcessed(ctx.db, delivery.ids, start, timeoutMs);
  return {
    ids: delivery.ids,
    // the app's own CPU; outbound mails still being sent after the decision are not in it
    cpuMsPerMessage: ((readCpuSeconds(ctx.app.pid) - cpuBefore) * 1000) / mails.length,
    rate: mails.length / (doneMs / 1000),
    acceptRate: mails.length / (delivery.acceptedMs / 1000),
  };
}

/** Waits until the outbound mails the pipeline wrote have been sent; returns the seconds. */
async function drainOutbox(db: Client): Promise<number> {
  const start = performance.now();
  for (;;) {
    const [row] = (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM outbound_mails WHERE status = 'pending'`,
      )
    ).rows;
    if (Number(row.n) === 0) return (performance.now() - start) / 1000;
    if (performance.now() - start > 300_000) throw new Error(`${row.n} outbound mails pending`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function measureScale(ctx: Context, from: number, to: number): Promise<ScaleFigures> {
  const { params } = ctx;
  const counts = await countRows(ctx.db);
  const available = to - from - WARMUP_MESSAGES;
  const messages = Math.min(params.inboundMessages, available);
  if (messages < params.inboundMessages) {
    ctx.log(`only ${messages} members can write at this scale: ${messages} messages`);
  }
  const warmOrgs = pickSenders(ctx, from, to, WARMUP_MESSAGES);
  const orgs = pickSenders(ctx, from, to, messages);
  ctx.log(`DKIM-signing ${warmOrgs.length + orgs.length} recovery mails`);
  const warm = await sign(ctx, warmOrgs);
  const mails = await sign(ctx, orgs);

  ctx.log(`bare mailparser on the ${mails.length} messages`);
  const parseRate = await parseBaseline(mails);
  ctx.log(`inbound pipeline: ${warm.length} warm-up messages, then ${mails.length} timed`);
  await pipeline(ctx, warm);
  await drainOutbox(ctx.db);
  const run = await pipeline(ctx, mails);
  const mix = await outcomes(ctx.db, run.ids);
  const outboxSeconds = await drainOutbox(ctx.db);
  let floor: FloorFigures | undefined;
  if (from === 0) {
    ctx.log('the floor: the libraries of the pipeline alone, CPU per message');
    floor = await measureFloor(ctx.domains, mails, {
      databaseUrl: ctx.databaseUrl,
      redisUrl: params.redisUrl,
    });
  }

  const sample = Array.from(
    { length: Math.min(SIGN_IN_ACCOUNTS, to - from) },
    () => from + Math.floor(Math.random() * (to - from)),
  );
  const seconds = params.httpSeconds;
  const connections = params.httpConnections;
  ctx.log('scrypt verifications in this process (the sign-in ceiling) for 3 s');
  const scryptBefore = await scryptCeiling(ctx.password, ctx.passwordHash, 3);
  const peakIsPerPhase = resetPeak(ctx.app.pid);
  ctx.log(`GET /health for ${seconds} s`);
  const health = await loadHealth(ctx.app.httpUrl, seconds, connections);
  ctx.log(`POST /api/auth/login (no 2FA, next: done) for ${seconds} s`);
  const loginDone = await loadLogin(
    ctx.app.httpUrl,
    sample.map(ownerEmail),
    ctx.password,
    'done',
    seconds,
    connections,
  );
  ctx.log(`POST /api/auth/login (active 2FA, next: totp) for ${seconds} s`);
  const loginTotp = await loadLogin(
    ctx.app.httpUrl,
    sample.map(memberEmail),
    ctx.password,
    'totp',
    seconds,
    connections,
  );
  const signInPeakMiB = readMemory(ctx.app.pid).peakMiB;
  // again after the sign-ins: the machine is shared, and scrypt (memory-hard) feels every
  // neighbour; the mean of before and after is the ceiling the sign-ins ran under
  ctx.log('scrypt ceiling again for 3 s');
  const scryptRate = (scryptBefore + (await scryptCeiling(ctx.password, ctx.passwordHash, 3))) / 2;
  if (!peakIsPerPhase) ctx.log('VmHWM cannot be reset here: peaks are since start');
  return {
    ...counts,
    messages,
    parseRate,
    pipelineRate: run.rate,
    acceptRate: run.acceptRate,
    cpuMsPerMessage: run.cpuMsPerMessage,
    outcomes: mix,
    outboxSeconds,
    scryptRate,
    health,
    loginDone,
    loginTotp,
    signInPeakMiB,
    floor,
  };
}

export async function measureMemory(
  ctx: Context,
  from: number,
  to: number,
): Promise<MemoryFigures> {
  const { params } = ctx;
  const idleMiB = readMemory(ctx.app.pid).rssMiB;

  const [bigOrg] = pickSenders(ctx, from, to, 1);
  const big = await bigRecoveryMail(ctx.domains, bigOrg, params.bigMessageBytes);
  ctx.log(`one ${(big.raw.length / 1048576).toFixed(2)} MiB message`);
  const peakIsPerPhase = resetPeak(ctx.app.pid);
  await pipeline(ctx, [big]);
  await drainOutbox(ctx.db);
  const { peakMiB: bigPeakMiB, rssMiB: bigAfterMiB } = readMemory(ctx.app.pid);

  const burstOrgs = pickSenders(ctx, from, to, params.burstMessages);
  ctx.log(`DKIM-signing a burst of ${burstOrgs.length} messages`);
  const burst = await sign(ctx, burstOrgs);
  ctx.log(`burst of ${burst.length} messages, then up to ${params.burstDrainSeconds} s to process`);
  resetPeak(ctx.app.pid);
  const start = performance.now();
  const delivery = await deliver(ctx.app.smtpPort, burst, params.smtpConnections, start);
  const deadline = performance.now() + params.burstDrainSeconds * 1000;
  let waiting: number;
  for (;;) {
    const [row] = (
      await ctx.db.query<{ n: string }>(
        `SELECT count(*) AS n FROM inbound_messages WHERE id = ANY($1::uuid[]) AND state = 'stored'`,
        [delivery.ids],
      )
    ).rows;
    waiting = Number(row.n);
    if (waiting === 0 || performance.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const burstSeconds = (performance.now() - start) / 1000;
  const burstOutcomes = await outcomes(ctx.db, delivery.ids);
  // when everything was decided, its outbound mails are part of the burst too
  if (waiting === 0) await drainOutbox(ctx.db);
  const { peakMiB: burstPeakMiB, rssMiB: burstAfterMiB } = readMemory(ctx.app.pid);
  return {
    startMiB: ctx.startMiB,
    idleMiB,
    bigBytes: big.raw.length,
    bigPeakMiB,
    bigAfterMiB,
    burstMessages: burst.length,
    burstAcceptRate: burst.length / (delivery.acceptedMs / 1000),
    burstProcessed: burst.length - waiting,
    burstSeconds,
    burstOutcomes,
    burstPeakMiB,
    burstAfterMiB,
    peakIsPerPhase,
  };
}
