/**
 * `npm run bench [-- --quick]`: the performance goals (README.md, Benchmarks), measured as ratios within one
 * run on this machine, against the real app in a child process (built dist/main.js by default),
 * on a throw-away database and Redis prefix of its own. Prints a table with PASS/FAIL per goal.
 * See bench/README.md for what each figure means and the BENCH_* parameters.
 */
import 'reflect-metadata';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { hashPassword } from '../src/accounts/password-hasher';
import { generateDkimKey, TestDnsServer } from '../test/helpers/inbound-mail';
import { AppProcess, buildApp, readMemory, startAppProcess } from './app-process';
import { MailDomains } from './inbound';
import { BenchParams, readParams } from './params';
import { Context, measureMemory, measureScale, MemoryFigures, ScaleFigures } from './phases';
import { createBenchDatabase, seedOrganizations } from './population';
import { renderFigures } from './figures';
import { startDiscardingRelay } from './relay';
import { measureBigText, measureLatency, measureMe, renderScaleFigures } from './scale-figures';
import { measureScaleOut, ScaleOutFigures } from './scale-out';

const PASSWORD = 'correct horse battery staple';

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const started = Date.now();
const log = (line: string) =>
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);

/** The app's output, shown when the bench fails (the file goes with the clean-up). */
let appLogFile: string | undefined;

/** Undone in reverse order, once, also on Ctrl-C. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    await (cleanups.pop() as () => Promise<unknown>)().catch((error: unknown) =>
      log(`clean-up: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const stream = redis.scanStream({ match: `${prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.del(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

async function main(params: BenchParams): Promise<void> {
  const loadBefore = loadavg();
  if (params.app === 'dist') {
    log('building dist/ when older than src/ (scripts/build-if-needed.js)');
    buildApp();
  }
  const work = mkdtempSync(path.join(tmpdir(), 'rd-bench-'));
  if (params.keepDatabase) log(`keeping ${work} (the app's log)`);
  else cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  const database = await createBenchDatabase(params.adminDatabaseUrl);
  if (!params.keepDatabase) cleanups.push(() => database.drop());
  log(`database ${database.name}`);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  cleanups.push(() => db.end());

  const secretKey = randomBytes(32);
  const passwordHash = await hashPassword(PASSWORD);
  const smallOrgs = params.smallUsers / 2;
  const largeOrgs = params.largeUsers / 2;
  log(`seeding ${params.smallUsers} users and billing records`);
  await seedOrganizations(db, 0, smallOrgs, passwordHash, secretKey);

  const dns = await TestDnsServer.start();
  cleanups.push(() => dns.close());
  const domains = new MailDomains(dns, generateDkimKey('bench'));
  const redisPrefix = `rdbench-${process.pid}-${randomBytes(3).toString('hex')}`;
  cleanups.push(() => deleteRedisKeys(params.redisUrl, redisPrefix));
  const relay = await startDiscardingRelay();
  cleanups.push(() => relay.close());
  const metricsToken = randomBytes(24).toString('hex');
  const appEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    REDIS_URL: params.redisUrl,
    REDIS_PREFIX: redisPrefix,
    MAIL_TRANSPORT: relay.url,
    SECRET_KEY: secretKey.toString('base64'),
    SENDER_AUTH: 'dmarc',
    DNS_SERVERS: dns.address,
    PUBLIC_URL: 'https://recovery-desk.bench.test',
    LOG_LEVEL: params.logLevel,
    VAR_DIR: path.join(work, 'var'),
    METRICS_TOKEN: metricsToken,
  };
  const app: AppProcess = await startAppProcess(
    params.app,
    appEnv,
    (appLogFile = path.join(work, 'app.log')),
  );
  cleanups.push(() => app.stop());
  log(`app pid ${app.pid} (${params.app}): ${app.httpUrl}, SMTP ${app.smtpPort}`);

  const ctx: Context = {
    params,
    db,
    databaseUrl: database.url,
    app,
    domains,
    password: PASSWORD,
    passwordHash,
    startMiB: readMemory(app.pid).rssMiB,
    used: new Set(),
    log,
  };
  const scales: { label: string; figures: ScaleFigures }[] = [];
  log(`— scale: ${params.smallUsers} users —`);
  scales.push({ label: label(params.smallUsers), figures: await measureScale(ctx, 0, smallOrgs) });
  log(`  figures: ${JSON.stringify(scales[0].figures)}`);
  const me = [await measureMe(ctx, 0, smallOrgs)];
  let memoryRange = [0, smallOrgs];
  if (largeOrgs > 0) {
    log(`seeding up to ${params.largeUsers} users and billing records (generate_series)`);
    await seedOrganizations(db, smallOrgs, largeOrgs, passwordHash, secretKey, (done) =>
      log(`  ${(smallOrgs + done) * 2} users`),
    );
    log(`— scale: ${params.largeUsers} users —`);
    scales.push({
      label: label(params.largeUsers),
      figures: await measureScale(ctx, smallOrgs, largeOrgs),
    });
    me.push(await measureMe(ctx, smallOrgs, largeOrgs));
    memoryRange = [smallOrgs, largeOrgs];
  }
  log('— latency at a steady rate; the API beside large text messages —');
  const latency = await measureLatency(ctx, memoryRange[0], memoryRange[1], metricsToken);
  const loop = await measureBigText(ctx, memoryRange[0], memoryRange[1]);
  let scaleOut: ScaleOutFigures | undefined;
  if (params.scaleOut) {
    log('— scale-out: separate api,smtp and worker processes —');
    scaleOut = await measureScaleOut({
      params,
      baseEnv: { ...appEnv, REDIS_PREFIX: redisPrefix },
      domains,
      passwordHash,
      secretKey,
      workDir: work,
      log,
      cleanups,
    });
  }
  log('— memory —');
  const memory: MemoryFigures = await measureMemory(ctx, memoryRange[0], memoryRange[1]);
  const loadAfter = loadavg();
  await cleanUp();

  const mode = params.app === 'dist' ? 'dist/main.js' : 'src/main.ts via ts-node';
  process.stdout.write(
    [
      '',
      `Recovery Desk bench (${params.quick ? 'quick' : 'full'} run): app ${mode}, NODE_ENV=production, ` +
        `LOG_LEVEL=${params.logLevel}, all roles in one process; ${cpus().length} cores`,
      `load average before ${loadBefore}, after ${loadAfter}; ` +
        `${((Date.now() - started) / 60000).toFixed(1)} min`,
      '',
      renderFigures(params, scales, memory),
      '',
      renderScaleFigures(
        params,
        scales.map((scale) => scale.label),
        me,
        latency,
        loop,
        scaleOut,
      ),
      '',
    ].join('\n'),
  );
  mkdirSync(path.dirname(params.resultFile), { recursive: true });
  writeFileSync(
    params.resultFile,
    `${JSON.stringify({ params, scales, memory, me, latency, loop, scaleOut }, null, 2)}\n`,
  );
  process.stdout.write(`figures written to ${params.resultFile}\n`);
}

function label(users: number): string {
  if (users >= 1_000_000 && users % 1_000_000 === 0) return `${users / 1_000_000}M users`;
  if (users >= 1000 && users % 1000 === 0) return `${users / 1000}k users`;
  return `${users} users`;
}

let params: BenchParams;
try {
  params = readParams(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
process.once('SIGINT', () => {
  log('interrupted: cleaning up');
  void cleanUp().then(() => process.exit(130));
});
main(params).then(
  () => process.exit(0),
  async (error: unknown) => {
    log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (appLogFile !== undefined) {
      const tail = readFileSync(appLogFile, 'utf8').split('\n').slice(-40).join('\n');
      process.stderr.write(`--- last lines of the app's output ---\n${tail}\n`);
    }
    await cleanUp();
    process.exit(1);
  },
);
