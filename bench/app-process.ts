/**
 * The application under test, as a real child process with all roles (api, smtp, worker), on
 * free ports, so its memory can be read from /proc/<pid>/status and its CPU is its own.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

export interface AppProcess {
  child: ChildProcess;
  pid: number;
  httpUrl: string;
  smtpPort: number;
  logFile: string;
  stop(): Promise<void>;
}

/** `npm run build` when dist/ is older than src/ (scripts/build-if-needed.js decides). */
export function buildApp(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-if-needed.js')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/** A port the OS says is free now (closed again at once; nothing else here races for it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * Starts the app and resolves once /health answers 200 and SMTP accepts connections. Its output
 * goes to a log file rather than through this process, so logging costs the bench nothing.
 */
export async function startAppProcess(
  mode: 'dist' | 'ts-node',
  env: Record<string, string>,
  logFile: string,
): Promise<AppProcess> {
  const [httpPort, smtpPort] = [await freePort(), await freePort()];
  // e.g. BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the app
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const script =
    mode === 'dist'
      ? [path.join(ROOT, 'dist/main.js')]
      : ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/main.ts')];
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, ...script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
      ...env,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the app exited (${child.exitCode}) at start-up; see ${logFile}`);
    }
    const healthy = await fetch(`${httpUrl}/health`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (healthy && (await canConnect(smtpPort))) break;
    if (Date.now() > deadline) throw new Error(`the app did not become ready; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    child,
    pid: child.pid as number,
    httpUrl,
    smtpPort,
    logFile,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU seconds (user + system) the process has used so far. */
export function readCpuSeconds(pid: number): number {
  // after the ")" that ends the command name: state is field 3, utime 14 and stime 15
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

export interface Memory {
  /** resident set size now, MiB */
  rssMiB: number;
  /** peak resident set size since start or since the last resetPeak(), MiB */
  peakMiB: number;
}

export function readMemory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    if (match === null) throw new Error(`no ${name} in /proc/${pid}/status`);
    return Math.round((Number(match[1]) / 1024) * 10) / 10;
  };
  return { rssMiB: field('VmRSS'), peakMiB: field('VmHWM') };
}

/**
 * Resets VmHWM to the current RSS (Linux: "5" to clear_refs), so a peak can be attributed to one
 * phase. Returns false where that is not allowed; the peak is then the peak since start.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
