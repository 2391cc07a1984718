/**
 * HTTP load with autocannon (a concurrent keep-alive client, run in this process while the app
 * has its own): bare `GET /health` against `POST /api/auth/login`, rotating over many accounts so
 * the look-ups spread over the users table as real sign-ins would.
 */
import autocannon from 'autocannon';

export interface LoadResult {
  /** 2xx responses per second over the whole run */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** responses other than 2xx, plus connection errors and timeouts */
  failures: number;
}

async function run(options: autocannon.Options): Promise<LoadResult> {
  const result = await autocannon(options);
  return {
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

export async function loadHealth(
  httpUrl: string,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const options = { url: `${httpUrl}/health`, connections };
  await run({ ...options, duration: 1 }); // warm-up, not counted
  return run({ ...options, duration: seconds });
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
  await run({ ...options, duration: 1 });
  return run({ ...options, duration: seconds });
}
