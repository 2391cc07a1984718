/**
 * HTTP load with autocannon (a concurrent keep-alive client, run in this process while the app
 * has its own): bare `GET /health` against `POST /api/auth/login`, rotating over many accounts so
 * the look-ups spread over the users table as real sign-ins would.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { scrypt } from 'node:crypto';

export interface LoadResult {
  /** 2xx responses per second in the steady part of the run */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** responses other than 2xx, plus connection errors and timeouts */
  failures: number;
}

/** Seconds left out at each end of a run: ramp-up, and requests still in flight at the end. */
const EDGE_SECONDS = 1;

/**
 * Runs autocannon and counts the 2xx responses that arrive between the first and the last second.
 * Dividing all responses by the whole duration would undercount a slow endpoint: with 16
 * connections and a sign-in taking a second or more, a run ends with 16 answers still coming.
 */
export function run(options: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const arrivals: number[] = [];
    const instance = autocannon(options, (error: Error | null, result: autocannon.Result) => {
      if (error instanceof Error) {
        reject(error);
        return;
      }
      const begin = result.start.getTime() + EDGE_SECONDS * 1000;
      const end = result.finish.getTime() - EDGE_SECONDS * 1000;
      const steady = arrivals.filter((at) => at >= begin && at < end).length;
      resolve({
        rps: end > begin ? steady / ((end - begin) / 1000) : result['2xx'] / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        failures: result.non2xx + result.errors + result.timeouts,
      });
    });
    instance.on('response', (_client, statusCode) => {
      if (statusCode >= 200 && statusCode < 300) arrivals.push(Date.now());
    });
  });
}

/**
 * autocannon abandons the requests still in flight when a run ends; the server still works them
 * off. Waits about as long as that takes, so the next run does not start behind them.
 */
export async function settle(result: LoadResult, connections: number): Promise<void> {
  const seconds = Math.min(15, connections / Math.max(result.rps, 1)) + 1;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

export async function loadHealth(
  httpUrl: string,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const options = { url: `${httpUrl}/health`, connections };
  await settle(await run({ ...options, duration: 1 }), connections); // warm-up, not counted
  const result = await run({ ...options, duration: seconds });
  await settle(result, connections);
  return result;
}

/**
 * Signs in as each account in turn (all share one password). Checks first that one sign-in really
 * answers `next` as expected, so a run of fast errors can never pass for a fast sign-in.
 */
export async function loadLogin(
  httpUrl: string,
  emails: string[],
  password: string,
  expectedNext: 'done' | 'totp',
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const probe = await fetch(`${httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: emails[0], password }),
  });
  const body = (await probe.json()) as { next?: string };
  if (probe.status !== 200 || body.next !== expectedNext) {
    throw new Error(`sign-in probe: ${probe.status} ${JSON.stringify(body)}`);
  }
  let next = 0;
  const options: autocannon.Options = {
    url: httpUrl,
    connections,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const email = emails[next % emails.length];
          next += 1;
          return { ...request, body: JSON.stringify({ email, password }) };
        },
      },
    ],
  };
  // no warm-up run (the probe warmed the path): its abandoned sign-ins would only delay this one
  const result = await run({ ...options, duration: seconds });
  await settle(result, connections);
  return result;
}

/**
 * The ceiling for any password sign-in on this machine right now: bare `crypto.scrypt` runs per
 * second, with the parameters read from the stored hash the accounts share (so exactly the
 * service's own cost), in this process with as many in flight as libuv has threads (4 by default,
 * as in the app). The derived key is compared, so a wrong parameter cannot pass unnoticed.
 */
export async function scryptCeiling(
  password: string,
  hash: string,
  seconds: number,
): Promise<number> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt') throw new Error('scrypt: not an scrypt hash');
  const expected = Buffer.from(key, 'base64');
  const options = { N: Number(n), r: Number(r), p: Number(p), maxmem: 128 * 1024 * 1024 };
  const derive = () =>
    new Promise<Buffer>((resolve, reject) =>
      scrypt(
        password.normalize('NFKC'),
        Buffer.from(salt, 'base64'),
        expected.length,
        options,
        (error, derived) => (error === null ? resolve(derived) : reject(error)),
      ),
    );
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let done = 0;
  const verifyUntilDeadline = async () => {
    while (performance.now() < deadline) {
      if (!(await derive()).equals(expected)) throw new Error('scrypt: wrong password');
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: threads }, verifyUntilDeadline));
  return done / ((performance.now() - start) / 1000);
}
