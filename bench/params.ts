/**
 * What one bench run does, from the command line (`--quick`) and BENCH_* variables. The bench is
 * never part of `npm test`: it measures, prints and judges; tests never assert on time.
 */
export interface BenchParams {
  quick: boolean;
  /** users (and billing records) in the database for the first and, when > 0, the second scale */
  smallUsers: number;
  largeUsers: number;
  /** recovery mails per inbound throughput run (one per sender with 2FA) */
  inboundMessages: number;
  /** small messages in the memory burst */
  burstMessages: number;
  /**
   * How long the burst may keep being processed after the last one was accepted. The pipeline
   * costs ~50 ms of app CPU per message, so 10,000 take minutes; the memory question is the
   * acceptance (is every message streamed to the database, not held?) and processing under a
   * backlog, which the window covers.
   */
  burstDrainSeconds: number;
  /** size of the one big message (an attachment), bytes; must stay under MAX_MESSAGE_BYTES */
  bigMessageBytes: number;
  httpSeconds: number;
  httpConnections: number;
  smtpConnections: number;
  rssBudgetMiB: number;
  /** a database the bench may connect to in order to CREATE and DROP its own database */
  adminDatabaseUrl: string;
  redisUrl: string;
  /** dist: `npm run build` output (realistic speed); ts-node: src/main.ts transpiled on the fly */
  app: 'dist' | 'ts-node';
  logLevel: string;
  keepDatabase: boolean;
  /** recovery mails per second and seconds of the steady-rate latency run */
  steadyRate: number;
  steadySeconds: number;
  /** size and number of the single-part text messages processed while /health is probed */
  bigTextBytes: number;
  bigTextMessages: number;
  /** false: no scale-out run (BENCH_SCALE_OUT=0) */
  scaleOut: boolean;
  /** where the run's figures are written as JSON */
  resultFile: string;
}

const MIB = 1024 * 1024;

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

export function readParams(argv: string[], env: NodeJS.ProcessEnv): BenchParams {
  const unknown = argv.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')}`);
  const quick = argv.includes('--quick');
  const app = env.BENCH_APP ?? 'dist';
  if (app !== 'dist' && app !== 'ts-node') throw new Error('BENCH_APP must be dist or ts-node');
  const params: BenchParams = {
    quick,
    smallUsers: whole(env, 'BENCH_USERS_SMALL', 1000),
    largeUsers: whole(env, 'BENCH_USERS_LARGE', quick ? 0 : 1_000_000),
    // 400 + 20 warm-up fit the 500 members of the 1k-user scale: both scales send as many
    inboundMessages: whole(env, 'BENCH_MESSAGES', quick ? 200 : 400),
    burstMessages: whole(env, 'BENCH_BURST', quick ? 500 : 10_000),
    burstDrainSeconds: whole(env, 'BENCH_BURST_DRAIN_SECONDS', quick ? 300 : 60),
    // 10 MiB minus room for the headers and the DKIM signature: MAX_MESSAGE_BYTES is 10 MiB
    bigMessageBytes: whole(env, 'BENCH_BIG_MESSAGE_BYTES', 10 * MIB - 16 * 1024),
    httpSeconds: whole(env, 'BENCH_HTTP_SECONDS', quick ? 5 : 10),
    httpConnections: whole(env, 'BENCH_HTTP_CONNECTIONS', 16),
    smtpConnections: whole(env, 'BENCH_SMTP_CONNECTIONS', 4),
    rssBudgetMiB: whole(env, 'BENCH_RSS_BUDGET_MIB', 512),
    adminDatabaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    app,
    logLevel: env.BENCH_LOG_LEVEL ?? 'info',
    keepDatabase: env.BENCH_KEEP_DB === '1',
    steadyRate: whole(env, 'BENCH_STEADY_RATE', 20),
    steadySeconds: whole(env, 'BENCH_STEADY_SECONDS', quick ? 10 : 30),
    bigTextBytes: whole(env, 'BENCH_BIG_TEXT_BYTES', 2 * MIB),
    bigTextMessages: whole(env, 'BENCH_BIG_TEXT_MESSAGES', quick ? 2 : 3),
    scaleOut: env.BENCH_SCALE_OUT !== '0',
    resultFile: env.BENCH_RESULT_FILE ?? 'var/bench-result.json',
  };
  // users come in pairs (an owner without 2FA, a member with 2FA) per organization
  for (const name of ['smallUsers', 'largeUsers'] as const) {
    params[name] -= params[name] % 2;
  }
  if (params.smallUsers < 4) throw new Error('BENCH_USERS_SMALL must be at least 4');
  if (params.largeUsers !== 0 && params.largeUsers <= params.smallUsers) {
    throw new Error('BENCH_USERS_LARGE must be 0 or more than BENCH_USERS_SMALL');
  }
  return params;
}
