/**
 * Do workers add up? A deployment of its own, beside the main one: one `ROLES=api,smtp` process
 * and `ROLES=worker` processes, each a real child process, on a database and Redis prefix of
 * their own (so the main app's worker and sweepers never take these jobs). The same inbound run
 * (SMTP accept -> decision stored) is timed with one worker, then again after a second worker has
 * joined; the figure is the second rate over the first.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { AppProcess, readCpuSeconds, startAppProcess } from './app-process';
import { deliver, Mail, MailDomains, recoveryMail, waitProcessed } from './inbound';
import type { BenchParams } from './params';
import { createBenchDatabase, seedOrganizations } from './population';

const ROOT = path.resolve(__dirname, '..');
const WARMUP_MESSAGES = 20;

export interface ScaleOutFigures {
  users: number;
  messages: number;
  oneWorkerRate: number;
  twoWorkerRate: number;
  /** CPU ms per message of each worker process in the two-worker run */
  workerCpuMs: number[];
  apiSmtpCpuMs: number;
}

interface WorkerProcess {
  pid: number;
  stop(): Promise<void>;
}

/** A `ROLES=worker` process: no HTTP, no SMTP; ready once it prints that it runs. */
async function startWorker(
  mode: 'dist' | 'ts-node',
  env: Record<string, string>,
  logFile: string,
): Promise<WorkerProcess> {
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const script =
    mode === 'dist'
      ? [path.join(ROOT, 'dist/main.js')]
      : ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/main.ts')];
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
      ...env,
      ROLES: 'worker',
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  while (!readFileSync(logFile, 'utf8').includes('Recovery Desk running')) {
    if (child.exitCode !== null) throw new Error(`a worker exited at start-up; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`a worker did not start; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    pid: child.pid as number,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function drainOutbox(db: Client): Promise<void> {
  const deadline = performance.now() + 300_000;
  for (;;) {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM outbound_mails WHERE status = 'pending'`,
    );
    if (Number(rows[0].n) === 0) return;
    if (performance.now() > deadline) throw new Error(`${rows[0].n} outbound mails pending`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function measureScaleOut(options: {
  params: BenchParams;
  /** the main app's environment: secret key, DNS, relay, sender authentication */
  baseEnv: Record<string, string>;
  domains: MailDomains;
  passwordHash: string;
  secretKey: Buffer;
  workDir: string;
  log(line: string): void;
  /** undone by the caller, in reverse order */
  cleanups: (() => Promise<unknown>)[];
}): Promise<ScaleOutFigures> {
  const { params, log } = options;
  const messages = params.inboundMessages;
  // two runs of warm-up + timed mails, each from a member who has not written yet
  const orgs = 2 * (messages + WARMUP_MESSAGES);
  const database = await createBenchDatabase(params.adminDatabaseUrl);
  if (!params.keepDatabase) options.cleanups.push(() => database.drop());
  const db = new Client({ connectionString: database.url });
  await db.connect();
  options.cleanups.push(() => db.end());
  await seedOrganizations(db, 0, orgs, options.passwordHash, options.secretKey);
  const env = {
    ...options.baseEnv,
    DATABASE_URL: database.url,
    // under the main prefix, so the clean-up of the main run deletes these keys too
    REDIS_PREFIX: `${options.baseEnv.REDIS_PREFIX}:scale`,
    VAR_DIR: path.join(options.workDir, 'var-scale'),
  };
  const front: AppProcess = await startAppProcess(
    params.app,
    { ...env, ROLES: 'api,smtp' },
    path.join(options.workDir, 'scale-api-smtp.log'),
  );
  options.cleanups.push(() => front.stop());
  const workers: WorkerProcess[] = [];
  const addWorker = async () => {
    const worker = await startWorker(
      params.app,
      env,
      path.join(options.workDir, `scale-worker-${workers.length + 1}.log`),
    );
    workers.push(worker);
    options.cleanups.push(() => worker.stop());
  };

  let next = 0;
  const sign = async (count: number): Promise<Mail[]> => {
    const mails: Mail[] = [];
    for (let i = 0; i < count; i += 1) mails.push(await recoveryMail(options.domains, next++));
    return mails;
  };
  const timed = async (label: string) => {
    const warm = await sign(WARMUP_MESSAGES);
    const mails = await sign(messages);
    log(`scale-out, ${label}: ${warm.length} warm-up messages, then ${mails.length} timed`);
    const warmStart = performance.now();
    const warmed = await deliver(front.smtpPort, warm, params.smtpConnections, warmStart);
    await waitProcessed(db, warmed.ids, warmStart, 600_000);
    await drainOutbox(db);
    const cpuBefore = workers.map((w) => readCpuSeconds(w.pid));
    const frontCpuBefore = readCpuSeconds(front.pid);
    const start = performance.now();
    const delivery = await deliver(front.smtpPort, mails, params.smtpConnections, start);
    // generous: on a loaded machine one worker may decide only a few messages per second
    const doneMs = await waitProcessed(db, delivery.ids, start, Math.max(600_000, messages * 3000));
    const cpuMs = workers.map(
      (w, i) => ((readCpuSeconds(w.pid) - cpuBefore[i]) * 1000) / mails.length,
    );
    const frontCpuMs = ((readCpuSeconds(front.pid) - frontCpuBefore) * 1000) / mails.length;
    await drainOutbox(db);
    log(`  ${label}: ${(mails.length / (doneMs / 1000)).toFixed(1)} msg/s`);
    return { rate: mails.length / (doneMs / 1000), cpuMs, frontCpuMs };
  };

  log('scale-out: one ROLES=api,smtp process and one ROLES=worker process');
  await addWorker();
  const one = await timed('1 worker');
  log('scale-out: a second ROLES=worker process joins');
  await addWorker();
  const two = await timed('2 workers');
  for (const worker of workers) await worker.stop();
  await front.stop();
  return {
    users: orgs * 2,
    messages,
    oneWorkerRate: one.rate,
    twoWorkerRate: two.rate,
    workerCpuMs: two.cpuMs,
    apiSmtpCpuMs: two.frontCpuMs,
  };
}
