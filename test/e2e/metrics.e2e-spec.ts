import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { MetricsListener } from '../../src/metrics/metrics-listener';
import { DECISION_BUCKETS } from '../../src/metrics/metrics.service';
import {
  fetchMetricsText,
  histogramBuckets,
  histogramQuantile,
  parsePrometheusText,
  Scrape,
  samplesOf,
  scrapeMetrics,
  valueOf,
} from '../helpers/metrics';
import {
  Clinic,
  makeAgent,
  makeClinic,
  makeMember,
  RecoveryWorld,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';
import {
  startTestApp,
  TEST_INBOUND_TOKEN,
  TEST_PROVISIONING_TOKEN,
  TestApp,
} from '../helpers/test-app';
import { bearer } from '../helpers/two-factor';

const METRICS_TOKEN = `metrics-${randomBytes(16).toString('hex')}`;

/** `promtool check metrics` (Debian prometheus) on a real scrape: its exit code and what it said. */
function promtool(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error !== undefined) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

/** Scrapes until `ready` holds (the worker observes just after its commit), or fails. */
async function scrapeUntil(
  read: () => Promise<Scrape>,
  ready: (scrape: Scrape) => boolean,
  timeoutMs = 20000,
): Promise<Scrape> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const scrape = await read();
    if (ready(scrape)) return scrape;
    if (Date.now() > deadline) {
      throw new Error(`metrics never got there:\n${JSON.stringify(scrape.samples.slice(-80))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * GET /metrics on the real application (real SMTP in, PostgreSQL, Redis, the mail relay out), read
 * with a parser of its own and checked by promtool.
 */
describe('metrics', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;
  let baseUrl: string;
  const scrape = () => scrapeMetrics(baseUrl, METRICS_TOKEN);

  beforeAll(async () => {
    world = await startRecoveryWorld({ METRICS_TOKEN, METRICS_PORT: '0' });
    clinic = await makeClinic(world);
    baseUrl = world.t.httpUrl as string;
  });
  afterAll(async () => {
    await world.close();
  });

  it('counts an SMTP recovery mail from acceptance to decision, with its latency', async () => {
    const before = await scrape();
    const member = await makeMember(world, clinic);
    const stranger = `nobody-${randomBytes(4).toString('hex')}@${clinic.domain}`;
    const mailsBefore = await world.t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM outbound_mails`,
    );

    const good = await sendRecoveryMail(
      world,
      clinic,
      member.email,
      `I lost my phone. My card ends with ${clinic.last4}.`,
    );
    const unknown = await sendRecoveryMail(world, clinic, stranger, 'I lost my phone.');
    expect([good.state, unknown.state]).toEqual(['processed', 'processed']);

    const decided = (s: Scrape, b = before) =>
      valueOf(s, 'recovery_desk_inbound_decision_seconds_count', { source: 'smtp' }) -
      valueOf(b, 'recovery_desk_inbound_decision_seconds_count', { source: 'smtp' });
    const after = await scrapeUntil(scrape, (s) => decided(s) >= 2);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels);

    expect(delta('recovery_desk_inbound_messages_total', { source: 'smtp', state: 'stored' })).toBe(
      2,
    );
    expect(
      delta('recovery_desk_inbound_messages_total', { source: 'smtp', state: 'processed' }),
    ).toBe(2);
    expect(delta('recovery_desk_inbound_messages_total', { source: 'webhook' })).toBe(0);
    expect(delta('recovery_desk_recovery_requests_total', { status: 'awaiting_approval' })).toBe(1);
    expect(
      delta('recovery_desk_recovery_requests_total', {
        status: 'rejected',
        reason: 'unknown_sender',
      }),
    ).toBe(1);
    expect(delta('recovery_desk_recovery_requests_total', { status: 'rejected' })).toBe(1);
    expect(delta('recovery_desk_recovery_requests_open', { status: 'awaiting_approval' })).toBe(1);
    expect(valueOf(after, 'recovery_desk_inbound_messages_stored', { source: 'smtp' })).toBe(0);

    // the histogram: both decisions, labelled, and their latency agrees with the database's own
    // clock (received_at → processed_at); the worker observes just after its commit
    expect(
      delta('recovery_desk_inbound_decision_seconds_count', { source: 'smtp', state: 'processed' }),
    ).toBe(2);
    const [db] = await world.t.dataSource.query<{ seconds: number }[]>(
      `SELECT sum(extract(epoch FROM processed_at - received_at))::float8 AS seconds
         FROM inbound_messages WHERE id = ANY($1)`,
      [[good.inboundId, unknown.inboundId]],
    );
    const observed = delta('recovery_desk_inbound_decision_seconds_sum', { source: 'smtp' });
    expect(observed).toBeGreaterThanOrEqual(db.seconds - 0.05);
    expect(observed).toBeLessThan(db.seconds + 2);
    const buckets = histogramBuckets(after, 'recovery_desk_inbound_decision_seconds', {
      source: 'smtp',
    });
    expect(buckets.map((b) => b.le)).toEqual([...DECISION_BUCKETS, Infinity]);
    expect(after.types.get('recovery_desk_inbound_decision_seconds')).toBe('histogram');

    // outbound: every mail the decisions queued is counted as it is queued, and as it is sent
    const [mailsAfter] = await world.t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM outbound_mails`,
    );
    const queued = mailsAfter.n - mailsBefore[0].n;
    expect(queued).toBeGreaterThanOrEqual(1);
    const sentBefore = valueOf(before, 'recovery_desk_outbound_mail_total', { state: 'sent' });
    const sent = await scrapeUntil(
      scrape,
      (s) =>
        valueOf(s, 'recovery_desk_outbound_mail_total', { state: 'sent' }) - sentBefore >= queued,
    );
    expect(
      valueOf(sent, 'recovery_desk_outbound_mail_total', { state: 'pending' }) -
        valueOf(before, 'recovery_desk_outbound_mail_total', { state: 'pending' }),
    ).toBe(queued);
    expect(valueOf(sent, 'recovery_desk_outbound_mail_total', { state: 'sent' }) - sentBefore).toBe(
      queued,
    );

    // queue gauges: every queue, every state, read from Redis
    for (const queue of ['inbound-email', 'mail', 'recovery-reset']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(samplesOf(after, 'recovery_desk_queue_jobs', { queue, state })).toHaveLength(1);
      }
    }
    expect(valueOf(after, 'recovery_desk_metrics_source_up', { source: 'postgresql' })).toBe(1);
    expect(valueOf(after, 'recovery_desk_metrics_source_up', { source: 'redis' })).toBe(1);
    expect(samplesOf(after, 'process_resident_memory_bytes')).toHaveLength(1);
  });

  it('labels HTTP requests with route templates, never the path that was sent', async () => {
    const agent = await makeAgent(world);
    const requestId = randomUUID();
    const cancelToken = randomBytes(24).toString('base64url');
    await world.t.http
      .get(`/api/recovery/requests/${requestId}`)
      .set(...bearer(agent.token))
      .expect(404);
    await world.t.http.get(`/recovery/cancel/${cancelToken}`);
    await world.t.http.get(`/no/such/page/${requestId}`).expect(404);
    await world.t.http.get('/health').expect(200);

    const text = await fetchMetricsText(baseUrl, METRICS_TOKEN);
    const after = parsePrometheusText(text);
    const http = 'recovery_desk_http_request_duration_seconds_count';
    expect(
      valueOf(after, http, {
        method: 'GET',
        route: '/api/recovery/requests/:id',
        status_code: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, http, { route: '/recovery/cancel/:token' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(after, http, { route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(valueOf(after, http, { route: '/health', status_code: '200' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(text).not.toContain(requestId);
    expect(text).not.toContain(cancelToken);
    for (const sample of samplesOf(after, http)) {
      expect(sample.labels.route === 'unmatched' || sample.labels.route.startsWith('/')).toBe(true);
    }
  });

  it('asks for METRICS_TOKEN when it is set: 401 without it or with a wrong one', async () => {
    const noToken = await world.t.http.get('/metrics').expect(401);
    expect(noToken.body).toMatchObject({ code: 'not_authenticated' });
    await world.t.http
      .get('/metrics')
      .set(...bearer(`${METRICS_TOKEN}x`))
      .expect(401);
    await world.t.http
      .get('/metrics')
      .set(...bearer(METRICS_TOKEN.slice(1)))
      .expect(401);
    await world.t.http.get('/metrics').set('Authorization', METRICS_TOKEN).expect(401);
    const ok = await world.t.http
      .get('/metrics')
      .set(...bearer(METRICS_TOKEN))
      .expect(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);

    // the metrics-only listener of METRICS_PORT asks for the same token
    const port = world.t.app.get(MetricsListener).port as number;
    const listener = `http://127.0.0.1:${port}`;
    expect((await fetch(`${listener}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${listener}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${listener}/other`)).status).toBe(404);
    expect((await scrapeMetrics(listener, METRICS_TOKEN)).samples.length).toBeGreaterThan(0);
  });

  it('never shows an e-mail address, a token or a billing value', async () => {
    const member = await makeMember(world, clinic);
    const denied = `mallory-${randomBytes(4).toString('hex')}@${clinic.domain}`;
    await sendRecoveryMail(world, clinic, member.email, `My card ends with ${clinic.last4}.`);
    await sendRecoveryMail(world, clinic, denied, `Card ${clinic.last4}, ${clinic.holderName}.`);
    // paths and queries that carry an address and a token are answered (404) and timed
    await world.t.http.get(`/no/such/${encodeURIComponent(member.email)}?token=${METRICS_TOKEN}`);
    await world.t.http.get(`/recovery/cancel/${encodeURIComponent(denied)}`);
    const text = await fetchMetricsText(baseUrl, METRICS_TOKEN);
    for (const secret of [
      encodeURIComponent(member.email),
      encodeURIComponent(denied),
      member.email,
      denied,
      clinic.domain,
      METRICS_TOKEN,
      TEST_INBOUND_TOKEN,
      TEST_PROVISIONING_TOKEN,
      clinic.holderName,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('@');
    // no label value carries the card's last four digits (sample values are numbers of their own)
    for (const sample of parsePrometheusText(text).samples) {
      for (const value of Object.values(sample.labels)) expect(value).not.toContain(clinic.last4);
    }
  });

  it('passes promtool check metrics, on the API and on the metrics-only listener', async () => {
    const api = await fetchMetricsText(baseUrl, METRICS_TOKEN);
    expect(api).toContain('recovery_desk_inbound_decision_seconds_bucket');
    expect(promtool(api)).toEqual({ status: 0, output: '' });
    const port = world.t.app.get(MetricsListener).port as number;
    const listener = await fetchMetricsText(`http://127.0.0.1:${port}`, METRICS_TOKEN);
    expect(promtool(listener)).toEqual({ status: 0, output: '' });
    // and promtool does fail on a problem: the oracle is not asleep
    expect(promtool('# TYPE x_seconds counter\nx_seconds 1\n').status).not.toBe(0);
  });

  describe('several processes', () => {
    let worker: TestApp;
    let api: TestApp;

    beforeAll(async () => {
      // a worker-only process and an api-only process on the same database and Redis, no token
      const shared = { REDIS_PREFIX: world.t.redisPrefix, DNS_SERVERS: world.dns.address };
      worker = await startTestApp({ ...shared, ROLES: 'worker', METRICS_PORT: '0' });
      api = await startTestApp({ ...shared, ROLES: 'api' });
    });
    afterAll(async () => {
      await worker?.close();
      await api?.close();
    });

    it('serves the deployment-wide families from api processes only, open without a token', async () => {
      const fromApi = await scrapeMetrics(api.httpUrl as string);
      const fromWorld = await scrape();
      const totals = (s: Scrape) =>
        valueOf(s, 'recovery_desk_inbound_messages_total', { state: 'stored' });
      // the same truth whichever api process answers
      expect(totals(fromApi)).toBe(totals(fromWorld));
      expect(totals(fromApi)).toBeGreaterThanOrEqual(4);

      const port = worker.app.get(MetricsListener).port as number;
      const fromWorker = await scrapeMetrics(`http://127.0.0.1:${port}`);
      expect(fromWorker.types.has('recovery_desk_inbound_messages_total')).toBe(false);
      expect(fromWorker.types.has('recovery_desk_queue_jobs')).toBe(false);
      expect(fromWorker.types.get('recovery_desk_inbound_decision_seconds')).toBe('histogram');
      expect(samplesOf(fromWorker, 'process_cpu_seconds_total')).toHaveLength(1);
      expect(world.t.app.get(MetricsListener).port).not.toBe(port);
    });
  });
});

/** The helper the bench reads latency with: checked on text written by hand, not by prom-client. */
describe('the metrics helper', () => {
  const text = [
    '# HELP d_seconds x',
    '# TYPE d_seconds histogram',
    'd_seconds_bucket{le="1",source="smtp"} 5',
    'd_seconds_bucket{le="2",source="smtp"} 10',
    'd_seconds_bucket{le="+Inf",source="smtp"} 10',
    'd_seconds_bucket{le="1",source="webhook"} 0',
    'd_seconds_bucket{le="2",source="webhook"} 0',
    'd_seconds_bucket{le="+Inf",source="webhook"} 2',
    'd_seconds_count{source="smtp"} 10',
    'odd{path="a\\"b\\\\c\\nd",x=""} 1.5e3',
  ].join('\n');

  it('parses samples, label escapes and exponents', () => {
    const scrape = parsePrometheusText(text);
    expect(scrape.types.get('d_seconds')).toBe('histogram');
    expect(samplesOf(scrape, 'odd')[0]).toEqual({
      name: 'odd',
      labels: { path: 'a"b\\c\nd', x: '' },
      value: 1500,
    });
    expect(() => parsePrometheusText('bad{ 1')).toThrow(/unreadable/);
    // Inf and NaN in the spellings Prometheus accepts; prom-client writes `Nan`
    const special = parsePrometheusText('a Nan\nb NaN\nc +Inf\nd -inf');
    expect(samplesOf(special, 'a')[0].value).toBeNaN();
    expect(samplesOf(special, 'b')[0].value).toBeNaN();
    expect(samplesOf(special, 'c')[0].value).toBe(Infinity);
    expect(samplesOf(special, 'd')[0].value).toBe(-Infinity);
    expect(() => parsePrometheusText('e nope')).toThrow(/not a sample value/);
  });

  it('computes quantiles as Prometheus does, over series and scrapes', () => {
    const scrape = parsePrometheusText(text);
    const smtp = histogramBuckets(scrape, 'd_seconds', { source: 'smtp' });
    expect(histogramQuantile(0.5, smtp)).toBe(1);
    expect(histogramQuantile(0.99, smtp)).toBeCloseTo(1.98, 10);
    expect(histogramQuantile(0.25, smtp)).toBeCloseTo(0.5, 10);
    // both sources, twice (two processes): 24 observations, 4 of them above 2 s
    const all = histogramBuckets([scrape, scrape], 'd_seconds');
    expect(all).toEqual([
      { le: 1, count: 10 },
      { le: 2, count: 20 },
      { le: Infinity, count: 24 },
    ]);
    expect(histogramQuantile(0.99, all)).toBe(2);
    expect(histogramQuantile(0.5, [])).toBeNaN();
  });
});
