/**
 * An authenticated read, `GET /api/me` with a bearer session, against bare `GET /health` measured
 * just before it: what the session look-up, the guard, the account query and the serialization
 * cost on top of the framework's own path. Sessions are real ones, from real sign-ins of owners
 * (no 2FA), and the load rotates over them.
 */
import type autocannon from 'autocannon';
import { LoadResult, loadHealth, run, settle } from './sign-in';

/** Sessions the load rotates over (each one a real sign-in, so each costs one scrypt). */
const SESSIONS = 64;

export interface MeFigures {
  health: LoadResult;
  me: LoadResult;
}

/** Signs in each account (4 at a time) and returns the bearer tokens. */
export async function signInSessions(
  httpUrl: string,
  emails: string[],
  password: string,
): Promise<string[]> {
  const tokens: string[] = [];
  const queue = emails.slice(0, SESSIONS);
  const signIn = async () => {
    for (let email = queue.shift(); email !== undefined; email = queue.shift()) {
      const response = await fetch(`${httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      const body = (await response.json()) as { next?: string; accessToken?: string };
      if (response.status !== 200 || body.next !== 'done' || body.accessToken === undefined) {
        throw new Error(`sign-in for the /api/me load: ${response.status} ${body.next}`);
      }
      tokens.push(body.accessToken);
    }
  };
  await Promise.all(Array.from({ length: 4 }, signIn));
  return tokens;
}

export async function loadMe(
  httpUrl: string,
  tokens: string[],
  seconds: number,
  connections: number,
): Promise<MeFigures> {
  // a probe first: a run of fast 401s must never pass for a fast /api/me
  const probe = await fetch(`${httpUrl}/api/me`, {
    headers: { authorization: `Bearer ${tokens[0]}` },
  });
  const body = (await probe.json()) as { id?: string };
  if (probe.status !== 200 || typeof body.id !== 'string') {
    throw new Error(`/api/me probe: ${probe.status} ${JSON.stringify(body)}`);
  }
  const health = await loadHealth(httpUrl, seconds, connections);
  let next = 0;
  const options: autocannon.Options = {
    url: httpUrl,
    connections,
    requests: [
      {
        method: 'GET',
        path: '/api/me',
        setupRequest: (request) => {
          const token = tokens[next % tokens.length];
          next += 1;
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
        },
      },
    ],
  };
  await settle(await run({ ...options, duration: 1 }), connections); // warm-up, not counted
  const me = await run({ ...options, duration: seconds });
  await settle(me, connections);
  return { health, me };
}
