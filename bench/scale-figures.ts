/**
 * The scale figures beside the main table: authenticated reads (/api/me / /health) at each
 * scale, latency at a steady mail rate, the API's latency while a large text message is
 * processed, and workers that add up (bench/scale-out.ts). Measured by run.ts, rendered here.
 */
import { bigTextMail, LoopFigures, measureEventLoop } from './event-loop';
import { LatencyFigures, measureSteadyLatency } from './latency';
import { loadMe, MeFigures, signInSessions } from './me';
import type { BenchParams } from './params';
import { Context, pickSenders, sign } from './phases';
import { ownerEmail } from './population';
import { fmt, ratio, renderTable, Row } from './report';
import type { ScaleOutFigures } from './scale-out';

/** GET /api/me at least 70 % of the requests/s of bare GET /health. */
export const ME_GOAL = 0.7;
/** accepted -> decided within 2 s for 99 % of the mails at a steady 20/s. */
export const LATENCY_GOAL_MS = 2000;
/** two worker processes decide at least 1.4 times as fast as one. */
export const SCALE_OUT_GOAL = 1.4;
/** /health answers within 100 ms (p99) while a 2 MiB text message is processed. */
export const LOOP_GOAL_MS = 100;
/** the same ratio at 1M as at 1k, within 20 % (as for the other flat figures). */
const FLAT_GOAL = 0.8;

export async function measureMe(ctx: Context, from: number, to: number): Promise<MeFigures> {
  const owners = Array.from({ length: 64 }, () => from + Math.floor(Math.random() * (to - from)));
  ctx.log(`signing in ${owners.length} owners for GET /api/me`);
  const tokens = await signInSessions(ctx.app.httpUrl, owners.map(ownerEmail), ctx.password);
  ctx.log(`GET /health, then GET /api/me, ${ctx.params.httpSeconds} s each`);
  const figures = await loadMe(
    ctx.app.httpUrl,
    tokens,
    ctx.params.httpSeconds,
    ctx.params.httpConnections,
  );
  ctx.log(
    `  /health ${fmt(figures.health.rps)} req/s, /api/me ${fmt(figures.me.rps)} req/s: ` +
      `ratio ${ratio(figures.me.rps / figures.health.rps)}`,
  );
  return figures;
}

export async function measureLatency(
  ctx: Context,
  from: number,
  to: number,
  metricsToken: string,
): Promise<LatencyFigures> {
  const { steadyRate, steadySeconds } = ctx.params;
  const mails = await sign(ctx, pickSenders(ctx, from, to, steadyRate * steadySeconds));
  ctx.log(`steady ${steadyRate} mails/s for ${steadySeconds} s (${mails.length} mails)`);
  const figures = await measureSteadyLatency({
    smtpPort: ctx.app.smtpPort,
    httpUrl: ctx.app.httpUrl,
    metricsToken,
    db: ctx.db,
    mails,
    rate: steadyRate,
    connections: ctx.params.smtpConnections,
  });
  ctx.log(
    `  accepted -> decided p50 ${fmt(figures.p50Ms, 0)} ms, p99 ${fmt(figures.p99Ms, 0)} ms ` +
      `(database clock p99 ${fmt(figures.dbP99Ms, 0)} ms)`,
  );
  return figures;
}

export async function measureBigText(ctx: Context, from: number, to: number) {
  const { bigTextBytes, bigTextMessages } = ctx.params;
  const mails = [];
  for (const g of pickSenders(ctx, from, to, bigTextMessages)) {
    mails.push(await bigTextMail(ctx.domains, g, bigTextBytes));
  }
  ctx.log(`GET /health probed while ${mails.length} text messages of ${bigTextBytes} bytes go by`);
  const figures = await measureEventLoop(
    ctx.app.httpUrl,
    ctx.app.smtpPort,
    ctx.db,
    mails,
    ctx.domains.dns.address,
  );
  ctx.log(
    `  /health p99 quiet ${fmt(figures.quietP99Ms, 1)} ms, busy ${fmt(figures.busyP99Ms, 1)} ms; ` +
      `inline stall in the bench: mailparser ${fmt(figures.inlineParseStallMs, 0)} ms, ` +
      `mailauth ${fmt(figures.inlineAuthStallMs, 0)} ms`,
  );
  return figures;
}

const load = (rps: number, p50: number, p99: number) =>
  `${fmt(rps)} (${fmt(p50, 0)}/${fmt(p99, 0)} ms)`;

export function renderScaleFigures(
  params: BenchParams,
  labels: string[],
  me: MeFigures[],
  latency: LatencyFigures,
  loop: LoopFigures,
  scaleOut: ScaleOutFigures | undefined,
): string {
  const rows: Row[] = [
    {
      figure: 'GET /health (beside /api/me), req/s (p50/p99)',
      cells: me.map((f) => load(f.health.rps, f.health.p50Ms, f.health.p99Ms)),
    },
    {
      figure: 'GET /api/me (bearer session), req/s (p50/p99)',
      cells: me.map((f) => load(f.me.rps, f.me.p50Ms, f.me.p99Ms)),
    },
    {
      figure: '  ratio /api/me / health',
      cells: me.map((f) => ratio(f.me.rps / f.health.rps)),
      goal: `>= ${ME_GOAL.toFixed(2)}`,
      pass: me.every((f) => f.me.rps / f.health.rps >= ME_GOAL),
    },
    {
      figure: '  failed /api/me and /health requests',
      cells: me.map((f) => String(f.me.failures + f.health.failures)),
      goal: '0',
      pass: me.every((f) => f.me.failures + f.health.failures === 0),
    },
  ];
  if (me.length === 2) {
    const flat = me[1].me.rps / me[1].health.rps / (me[0].me.rps / me[0].health.rps);
    rows.push({
      figure: `flat: /api/me / health, ${labels[1]} / ${labels[0]}`,
      cells: ['', ratio(flat)],
      goal: `>= ${FLAT_GOAL.toFixed(2)}`,
      pass: flat >= FLAT_GOAL,
    });
  }
  const last = (text: string) => [...Array<string>(labels.length - 1).fill(''), text];
  rows.push(
    {
      figure:
        `accepted -> decided at ${latency.rate}/s for ${fmt(latency.seconds, 0)} s, ` +
        'p99 ms (bench clock)',
      cells: last(fmt(latency.p99Ms, 0)),
      goal: `<= ${LATENCY_GOAL_MS}`,
      pass: latency.p99Ms <= LATENCY_GOAL_MS,
    },
    {
      figure: '  p50 / max ms (bench clock, polled every 50 ms)',
      cells: last(`${fmt(latency.p50Ms, 0)} / ${fmt(latency.maxMs, 0)}`),
    },
    {
      figure: '  p99 ms, database clock (received_at -> processed_at)',
      cells: last(fmt(latency.dbP99Ms, 0)),
    },
    {
      figure: '  p99 ms, app histogram (GET /metrics)',
      cells: last(latency.metricsP99Ms === undefined ? 'n/a' : fmt(latency.metricsP99Ms, 0)),
    },
    {
      figure: `GET /health p99 ms, quiet (${loop.messages} x ${fmt(loop.bytes / 1048576, 2)} MiB text next)`,
      cells: last(fmt(loop.quietP99Ms, 1)),
    },
    {
      figure: '  p99 ms while the text messages are processed',
      cells: last(fmt(loop.busyP99Ms, 1)),
      goal: `<= ${LOOP_GOAL_MS}`,
      pass: loop.busyP99Ms <= LOOP_GOAL_MS,
    },
    {
      figure: '  max ms, probes (not 200), seconds of processing',
      cells: last(
        `${fmt(loop.busyMaxMs, 0)}, ${loop.busyProbes} (${loop.failures}), ` +
          `${fmt(loop.processSeconds, 1)} s`,
      ),
    },
  );
  rows.push(
    {
      figure: '  for comparison, inline in the bench process: longest stall ms,',
      cells: last(''),
    },
    {
      figure: '    bare mailparser / mailauth (the app checks these off-loop)',
      cells: last(`${fmt(loop.inlineParseStallMs, 0)} / ${fmt(loop.inlineAuthStallMs, 0)}`),
    },
  );
  if (scaleOut !== undefined) {
    rows.push(
      {
        figure: `scale-out (own db, ${scaleOut.users} users): 1 worker + api,smtp, msg/s`,
        cells: last(fmt(scaleOut.oneWorkerRate)),
      },
      { figure: '  2 workers + api,smtp, msg/s', cells: last(fmt(scaleOut.twoWorkerRate)) },
      {
        figure: '  ratio 2 workers / 1 worker',
        cells: last(ratio(scaleOut.twoWorkerRate / scaleOut.oneWorkerRate)),
        goal: `>= ${SCALE_OUT_GOAL.toFixed(2)}`,
        pass: scaleOut.twoWorkerRate / scaleOut.oneWorkerRate >= SCALE_OUT_GOAL,
      },
      {
        figure: '  CPU ms/msg: each worker, api,smtp (2-worker run)',
        cells: last(
          `${scaleOut.workerCpuMs.map((ms) => fmt(ms)).join(' + ')}, ${fmt(scaleOut.apiSmtpCpuMs)}`,
        ),
      },
    );
  }
  const header = ['scale figure', ...labels, 'goal', 'result'];
  const notes = [
    `steady run: ${latency.messages} mails; ${latency.metricsNote}`,
    scaleOut === undefined
      ? 'scale-out not run (BENCH_SCALE_OUT=0)'
      : `scale-out: ${scaleOut.messages} timed mails per run over ${params.smtpConnections} SMTP ` +
        'connections, after 20 warm-up mails; real child processes, one database and Redis prefix',
  ];
  return [renderTable(header, rows), '', ...notes].join('\n');
}
