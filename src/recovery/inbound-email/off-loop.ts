import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { Piscina } from 'piscina';

/**
 * Messages this large are parsed and authenticated in a worker thread (off-loop-thread.ts):
 * turning a text part of megabytes into text and HTML, and DKIM's body hash over it, run in
 * synchronous steps that would otherwise hold the event loop that also serves HTTP and SMTP.
 * Below it, the thread hop would cost more than it saves.
 */
export const OFF_LOOP_BYTES = 256 * 1024;
/**
 * One thread, created on the first large message and gone after IDLE_MS without one: large
 * messages are rare, and each thread is a V8 heap of its own that keeps what it last parsed
 * (tens of MiB) until it exits — it counts against the process's memory budget.
 */
const OFF_LOOP_THREADS = 1;
const IDLE_MS = 10_000;

let pool: Piscina | undefined;

/** Whether this message goes to a thread (never from inside one). */
export function goesOffLoop(raw: Buffer): boolean {
  return isMainThread && raw.length >= OFF_LOOP_BYTES;
}

/** The process's pool; the thread module is TypeScript under ts-node or Jest and needs ts-node. */
export function offLoopPool(): Piscina {
  const typescript = __filename.endsWith('.ts');
  pool ??= new Piscina({
    filename: path.join(__dirname, `off-loop-thread${typescript ? '.ts' : '.js'}`),
    minThreads: 0,
    maxThreads: OFF_LOOP_THREADS,
    idleTimeout: IDLE_MS,
    execArgv: typescript ? ['--require', 'ts-node/register/transpile-only'] : [],
  });
  return pool;
}

export async function closeOffLoopPool(): Promise<void> {
  const closing = pool;
  pool = undefined;
  await closing?.destroy();
}
