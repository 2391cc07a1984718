import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { AppConfigService } from '../config/app-config.service';
import { DeploymentMetrics } from './deployment-metrics';
import { codeLabel } from './metric-labels';

/** Accepted → decided: well under a second normally; DNS time-outs and retries make the tail. */
export const DECISION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 7200];
/** HTTP answers: a sign-in spends ~0.1 s in scrypt; the rest should be far below. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Default metrics that break the naming rules (gauges ending in _total). */
const LINTED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

/**
 * The metrics of this process: Node's default process metrics (unprefixed, as client libraries
 * name them: process_*, nodejs_*), the HTTP histogram of the requests it answered and the
 * decision histogram of the messages it decided. Histograms are observed where the event happens
 * and are per process; add them up across processes in PromQL. Processes with the api role also
 * serve the deployment-wide families (DeploymentMetrics), which are read at scrape time.
 */
@Injectable()
export class MetricsService {
  readonly processRegistry = new Registry();
  private readonly everything: Registry;

  private readonly decisions = new Histogram({
    name: 'recovery_desk_inbound_decision_seconds',
    help: 'Seconds from an inbound message being accepted (stored) to its final state, observed by the worker that decided it.',
    labelNames: ['source', 'state'],
    buckets: DECISION_BUCKETS,
    registers: [this.processRegistry],
  });
  private readonly http = new Histogram({
    name: 'recovery_desk_http_request_duration_seconds',
    help: 'HTTP requests answered by this process, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_BUCKETS,
    registers: [this.processRegistry],
  });

  constructor(
    private readonly config: AppConfigService,
    private readonly deployment: DeploymentMetrics,
  ) {
    collectDefaultMetrics({ register: this.processRegistry });
    // gauges named like counters, which promtool rightly refuses; nodejs_active_handles{type},
    // nodejs_active_requests{type} and nodejs_active_resources{type} carry the same numbers
    for (const name of LINTED_DEFAULTS) this.processRegistry.removeSingleMetric(name);
    this.everything = Registry.merge([this.processRegistry, this.deployment.registry]);
  }

  /** An inbound message reached its final state (after the transaction that stored it). */
  inboundDecided(source: string, state: string, seconds: number): void {
    this.decisions.observe(
      { source: codeLabel(source), state: codeLabel(state) },
      Math.max(0, seconds),
    );
  }

  /** Labels must already be bounded (metric-labels.ts). */
  httpAnswered(labels: { method: string; route: string; status_code: string }, seconds: number) {
    this.http.observe(labels, seconds);
  }

  /**
   * The text a scrape gets. `deployment`: include the deployment-wide families (processes with
   * the api role); the metrics-only listener of other processes serves this process alone, so
   * that adding up every target never counts the shared numbers twice.
   */
  async render(deployment = this.config.hasRole('api')): Promise<RenderedMetrics> {
    if (!deployment) {
      return {
        contentType: this.processRegistry.contentType,
        body: await this.processRegistry.metrics(),
      };
    }
    await this.deployment.refresh();
    return { contentType: this.everything.contentType, body: await this.everything.metrics() };
  }
}
