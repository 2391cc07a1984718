import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import Redis from 'ioredis';
import { startTestApp, TestApp } from '../helpers/test-app';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A redis-server of this test's own, so it can be killed without harming anyone else. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  probe.disconnect();
  child.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Polls /health until it answers the wanted status (the outcome, not its speed, is tested). */
async function healthBecomes(t: TestApp, status: number) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await t.http.get('/health');
    if (response.status === status) return response;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`/health never answered ${status}`);
}

describe('GET /health when Redis goes away and comes back', () => {
  let port: number;
  let redis: ChildProcess;
  let t: TestApp;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    // bring Redis back first when a failed assertion left it down: closing the queue workers
    // waits for their connection
    if (redis !== undefined && (redis.exitCode !== null || redis.signalCode !== null)) {
      redis = await startRedis(port);
    }
    await t?.close();
    if (redis !== undefined) await stopRedis(redis);
  });

  it('answers 200 with both up, 503 (contract error shape) while it is down, 200 again once it is back', async () => {
    const up = await t.http.get('/health').expect(200);
    expect(up.body).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });

    await stopRedis(redis);
    const down = await healthBecomes(t, 503);
    expect(down.body).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      message: expect.any(String),
      // which dependency is down, and which is up
      details: { redis: { status: 'down' }, postgres: { status: 'up' } },
    });
    // the rest of the API keeps answering (a JSON error, not a crash)
    const login = await t.http.post('/api/auth/login').send({ email: 'x@example.test' });
    expect(login.status).toBe(400);

    redis = await startRedis(port);
    const back = await healthBecomes(t, 200);
    expect(back.body).toMatchObject({ info: { redis: { status: 'up' } } });
  });
});

describe('the HTTP surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves OpenAPI at /api/docs, describing the contract routes', async () => {
    const page = await t.http.get('/api/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const json = await t.http.get('/api/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    for (const route of [
      '/api/auth/login',
      '/api/auth/logout',
      '/api/me',
      '/api/audit',
      '/api/audit/verify',
      '/api/provisioning/organizations',
      '/api/provisioning/organizations/{id}/billing',
      '/api/provisioning/organizations/{id}/users',
      '/api/provisioning/agents',
      '/health',
    ]) {
      expect(Object.keys(json.body.paths)).toContain(route);
    }
  });

  it('sets security headers (helmet) and no X-Powered-By', async () => {
    const response = await t.http.get('/health').expect(200);
    expect(response.headers['x-powered-by']).toBeUndefined();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
  });

  it('answers an unknown route with 404 in the contract shape', async () => {
    const response = await t.http.get('/api/no-such-thing').expect(404);
    expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});
