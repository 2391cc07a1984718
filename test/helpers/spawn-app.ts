import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { baseDatabaseUrl } from './test-env';

const ROOT = path.resolve(__dirname, '../..');

export interface SpawnedApp {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts src/main.ts as a real child process (TypeScript transpiled on the fly by ts-node), for
 * tests that need a process of its own: start-up refusals, kill -9, SIGTERM.
 */
export function spawnApp(env: Record<string, string>): SpawnedApp {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'src/main.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        // swc transpiles a few times faster than tsc (ts-node's swc mode needs target ≤ ES2022)
        TS_NODE_PROJECT: path.join(ROOT, 'test/tsconfig.ts-node.json'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Resolves once the child's output matches, or rejects after the timeout with what it printed. */
export async function waitForOutput(
  app: SpawnedApp,
  pattern: RegExp,
  timeoutMs = 30000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(app.output())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${pattern}; got:\n${app.output()}`);
    if (app.child.exitCode !== null) throw new Error(`process exited early:\n${app.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The child's peak resident set so far (VmHWM in /proc/<pid>/status), in bytes. */
export function peakRssBytes(app: SpawnedApp): number {
  const status = readFileSync(`/proc/${app.child.pid}/status`, 'utf8');
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (kib === null) throw new Error('no VmHWM in /proc status');
  return Number(kib[1]) * 1024;
}

/** A connection to the run's database, for a test whose app runs in a child process. */
export async function openRunDatabase(): Promise<DataSource> {
  return new DataSource(dataSourceOptions({ databaseUrl: baseDatabaseUrl() })).initialize();
}
