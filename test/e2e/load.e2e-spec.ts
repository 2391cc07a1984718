/**
 * Load on the real process (src/main.ts as a child): 200 SMTP sessions at once and 500 bad
 * sign-ins at once. Only the documented codes come back, the process stays up and answers
 * /health, every accepted message is decided exactly once, and its peak memory stays within the
 * budget. The figures are budgets and outcomes, never speeds (speed belongs to `npm run bench`).
 */
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { ACCOUNT_FAILURE_LIMIT } from '../../src/sign-in/login-rate-limiter';
import { SMTP_LIMITS } from '../../src/recovery/inbound-email/smtp-ingress.server';
import { makeUser } from '../helpers/factories';
import {
  buildMessage,
  expectProcessedOnce,
  SmtpOutcome,
  TestDnsServer,
  trySendSmtp,
  waitForFinal,
} from '../helpers/inbound-mail';
import { freePort } from '../helpers/own-services';
import {
  openRunDatabase,
  peakRssBytes,
  spawnApp,
  SpawnedApp,
  waitForOutput,
} from '../helpers/spawn-app';
import { testEnv } from '../helpers/test-app';

const SENDER = 'load@spf.test';
const SMTP_SESSIONS = 200;
const BAD_SIGN_INS = 500;
/** Peak resident memory of the whole process (all roles) under this load. */
const MEMORY_BUDGET_BYTES = 512 * 1024 * 1024;

describe('load on the real process', () => {
  let dns: TestDnsServer;
  let app: SpawnedApp;
  let db: DataSource;
  let smtpPort: number;
  let httpUrl: string;
  const figures: Record<string, unknown> = {};

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    dns.publishDomain('spf.test', { spf: 'v=spf1 ip4:127.0.0.1 -all', dmarc: 'v=DMARC1; p=none' });
    smtpPort = await freePort();
    const httpPort = await freePort();
    httpUrl = `http://127.0.0.1:${httpPort}`;
    app = spawnApp(
      testEnv({
        SMTP_PORT: String(smtpPort),
        HTTP_PORT: String(httpPort),
        DNS_SERVERS: dns.address,
      }),
    );
    db = await openRunDatabase();
    await waitForOutput(app, /Recovery Desk running/, 90_000);
  }, 120_000);

  afterAll(async () => {
    if (app !== undefined && app.child.exitCode === null) {
      app.child.kill('SIGTERM');
      await app.exited;
    }
    await db?.destroy();
    await dns?.close();
    process.stdout.write(`load figures: ${JSON.stringify(figures, null, 2)}\n`);
  });

  it(`${SMTP_SESSIONS} SMTP sessions at once: 250, or 421 above the connection limit; every message decided once`, async () => {
    const send = (to = 'support@recovery-desk.test') =>
      trySendSmtp(smtpPort, buildMessage({ from: SENDER }), { from: SENDER, to: [to] });
    const first = await Promise.all(Array.from({ length: SMTP_SESSIONS }, () => send()));
    // above SMTP_LIMITS.maxClients connections the server says 421 (try again) at the greeting
    for (const { code } of first) expect([250, 421]).toContain(code);
    const busy = first.filter((outcome) => outcome.code === 421).length;
    if (busy > 0) expect(SMTP_LIMITS.maxClients).toBeLessThan(SMTP_SESSIONS);
    // a message for another address is refused for good, not stored
    expect((await send(SENDER)).code).toBe(550);

    // as a sending MTA does: try the refused ones again until they are taken
    const outcomes: SmtpOutcome[] = first.filter((outcome) => outcome.code === 250);
    let retries = 0;
    while (outcomes.length < SMTP_SESSIONS) {
      retries += 1;
      expect(retries).toBeLessThan(50);
      const again = await Promise.all(
        Array.from({ length: SMTP_SESSIONS - outcomes.length }, () => send()),
      );
      for (const { code } of again) expect([250, 421]).toContain(code);
      outcomes.push(...again.filter((outcome) => outcome.code === 250));
    }
    const ids = outcomes.map((outcome) => outcome.id as string);
    expect(new Set(ids).size).toBe(SMTP_SESSIONS);
    await waitForFinal(db, ids, 180_000);
    await expectProcessedOnce(db, ids);
    figures.smtp = {
      sessions: SMTP_SESSIONS,
      firstRound250: SMTP_SESSIONS - busy,
      firstRound421: busy,
      accepted: ids.length,
      processedOnce: ids.length,
    };
  }, 240_000);

  it(`${BAD_SIGN_INS} bad sign-ins at once across several accounts: only 401 or 429, and the process stays up`, async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => makeUser(db)));
    const http = request(httpUrl);
    const statuses = await Promise.all(
      Array.from({ length: BAD_SIGN_INS }, async (_, i) => {
        const response = await http
          .post('/api/auth/login')
          .send({ email: users[i % users.length].email, password: `wrong password ${i}` });
        return response.status;
      }),
    );
    const counts: Record<number, number> = {};
    for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
    for (const status of statuses) expect([401, 429]).toContain(status);
    // a burst does not get round the per-account limit: at most that many passwords were tried
    // on each account (each 401 is a password checked; the rest were refused unchecked)
    const checked = new Map<string, number>();
    statuses.forEach((status, i) => {
      const email = users[i % users.length].email;
      if (status === 401) checked.set(email, (checked.get(email) ?? 0) + 1);
    });
    for (const count of checked.values()) expect(count).toBeLessThanOrEqual(ACCOUNT_FAILURE_LIMIT);
    expect(app.child.exitCode).toBeNull();
    await http.get('/health').expect(200);
    figures.signIn = {
      attempts: BAD_SIGN_INS,
      accounts: users.length,
      statuses: counts,
      checkedPerAccount: [...checked.values()],
    };
  }, 240_000);

  it('stays within its memory budget', () => {
    const peak = peakRssBytes(app);
    figures.peakRssMiB = Math.round(peak / 2 ** 20);
    expect(peak).toBeLessThan(MEMORY_BUDGET_BYTES);
  });
});
