import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Registry } from 'prom-client';
import { QueueName } from '../queue/queue-names';
import { REJECTION_REASONS, REQUEST_STATUSES } from '../recovery/approval/recovery-request.entity';
import { codeLabel } from './metric-labels';
import { DeploymentCounts, MetricsRepository } from './metrics.repository';

/** The BullMQ states the queue gauge reports. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const INBOUND_FINAL_STATES = ['processed', 'ignored', 'failed'];
const OUTBOUND_FINAL_STATES = ['sent', 'failed'];
/** A Redis that does not answer within this makes the queue gauges absent from the scrape. */
const REDIS_TIMEOUT_MS = 1500;

/**
 * Families that describe the whole deployment, not this process: read at scrape time from
 * PostgreSQL (the truth for messages, requests and mails) and from BullMQ's counts in Redis. Every
 * process that serves them answers the same numbers, however many smtp and worker processes did
 * the work (docs/operations.md, "Metrics").
 *
 * The `_total` families count what reached each state, so they only grow: the first state of
 * every row (`stored`, `awaiting_approval`, `pending`) counts every row ever created, the final
 * states count the rows that ended there. What waits now is in the gauges beside them.
 */
@Injectable()
export class DeploymentMetrics {
  readonly registry = new Registry();
  private readonly logger = new Logger(DeploymentMetrics.name);
  private inFlight: Promise<void> | undefined;
  private lastFailureLog = 0;

  private readonly inboundTotal = new Counter({
    name: 'recovery_desk_inbound_messages_total',
    help: 'Inbound messages that reached each state: state="stored" counts every accepted message, processed, ignored and failed the final outcomes.',
    labelNames: ['source', 'state'],
    registers: [this.registry],
  });
  private readonly inboundStored = new Gauge({
    name: 'recovery_desk_inbound_messages_stored',
    help: 'Inbound messages accepted and not yet decided (state stored).',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly oldestStored = new Gauge({
    name: 'recovery_desk_inbound_oldest_stored_seconds',
    help: 'Age of the oldest inbound message not yet decided; 0 when none waits.',
    registers: [this.registry],
  });
  private readonly requestsTotal = new Counter({
    name: 'recovery_desk_recovery_requests_total',
    help: 'Recovery requests that reached each status; reason is set for status="rejected" only.',
    labelNames: ['status', 'reason'],
    registers: [this.registry],
  });
  private readonly requestsOpen = new Gauge({
    name: 'recovery_desk_recovery_requests_open',
    help: 'Recovery requests awaiting approval, or approved and waiting for their reset.',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly outboundTotal = new Counter({
    name: 'recovery_desk_outbound_mail_total',
    help: 'Outbound mails that reached each state: state="pending" counts every queued mail, sent and failed the final outcomes.',
    labelNames: ['state'],
    registers: [this.registry],
  });
  private readonly outboundPending = new Gauge({
    name: 'recovery_desk_outbound_mail_pending',
    help: 'Outbound mails queued and not yet sent or given up.',
    registers: [this.registry],
  });
  private readonly queueJobs = new Gauge({
    name: 'recovery_desk_queue_jobs',
    help: 'BullMQ jobs per queue and state (waiting, active, delayed, failed).',
    labelNames: ['queue', 'state'],
    registers: [this.registry],
  });
  private readonly sourceUp = new Gauge({
    name: 'recovery_desk_metrics_source_up',
    help: 'Whether the last scrape could read this source (1) or not (0); the families read from it are absent when 0.',
    labelNames: ['source'],
    registers: [this.registry],
  });

  constructor(
    private readonly repository: MetricsRepository,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Reads PostgreSQL and Redis once; concurrent scrapes share the same read. */
  refresh(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async read(): Promise<void> {
    const [counts, queues] = await Promise.allSettled([
      this.repository.counts(),
      this.queueCounts(),
    ]);
    this.setCounts(counts.status === 'fulfilled' ? counts.value : undefined);
    this.setQueues(queues.status === 'fulfilled' ? queues.value : undefined);
    for (const result of [counts, queues]) {
      if (result.status === 'rejected') this.reportFailure(result.reason);
    }
  }

  private setCounts(counts: DeploymentCounts | undefined): void {
    for (const metric of [
      this.inboundTotal,
      this.inboundStored,
      this.requestsTotal,
      this.requestsOpen,
      this.outboundTotal,
    ]) {
      metric.reset();
    }
    this.sourceUp.set({ source: 'postgresql' }, counts === undefined ? 0 : 1);
    if (counts === undefined) {
      this.oldestStored.reset();
      this.outboundPending.reset();
      return;
    }
    this.setInbound(counts);
    this.setRequests(counts);
    let pending = 0;
    for (const state of ['pending', ...OUTBOUND_FINAL_STATES]) this.outboundTotal.inc({ state }, 0);
    for (const { status, count } of counts.mails) {
      this.outboundTotal.inc({ state: 'pending' }, count);
      if (status === 'pending') pending += count;
      else this.outboundTotal.inc({ state: codeLabel(status) }, count);
    }
    this.outboundPending.set(pending);
  }

  private setInbound(counts: DeploymentCounts): void {
    const sources = new Set(counts.inbound.map((row) => codeLabel(row.source)));
    for (const source of sources) {
      for (const state of ['stored', ...INBOUND_FINAL_STATES]) {
        this.inboundTotal.inc({ source, state }, 0);
      }
      this.inboundStored.set({ source }, 0);
    }
    for (const row of counts.inbound) {
      const source = codeLabel(row.source);
      this.inboundTotal.inc({ source, state: 'stored' }, row.count);
      if (row.state === 'stored') this.inboundStored.inc({ source }, row.count);
      else this.inboundTotal.inc({ source, state: codeLabel(row.state) }, row.count);
    }
    this.oldestStored.set(counts.oldestStoredSeconds);
  }

  private setRequests(counts: DeploymentCounts): void {
    for (const status of REQUEST_STATUSES) {
      if (status !== 'rejected') this.requestsTotal.inc({ status }, 0);
    }
    for (const reason of REJECTION_REASONS) {
      this.requestsTotal.inc({ status: 'rejected', reason }, 0);
    }
    this.requestsOpen.set({ status: 'awaiting_approval' }, 0);
    this.requestsOpen.set({ status: 'approved' }, 0);
    for (const row of counts.requests) {
      if (row.status === 'rejected') {
        this.requestsTotal.inc({ status: 'rejected', reason: codeLabel(row.reason) }, row.count);
        continue;
      }
      // every request that was not rejected at once was created awaiting approval; approval sets
      // executes_at, which nothing clears, so "was approved" survives a later cancel or completion
      this.requestsTotal.inc({ status: 'awaiting_approval' }, row.count);
      if (row.approved) this.requestsTotal.inc({ status: 'approved' }, row.count);
      if (row.status !== 'awaiting_approval' && row.status !== 'approved') {
        this.requestsTotal.inc({ status: codeLabel(row.status) }, row.count);
      } else {
        this.requestsOpen.inc({ status: row.status }, row.count);
      }
    }
  }

  private async queueCounts(): Promise<Map<string, Record<string, number>>> {
    const result = new Map<string, Record<string, number>>();
    await Promise.all(
      Object.values(QueueName).map(async (name) => {
        const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
        const counts = await Promise.race([
          queue.getJobCounts(...QUEUE_STATES),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('Redis timeout')), REDIS_TIMEOUT_MS).unref(),
          ),
        ]);
        result.set(name, counts);
      }),
    );
    return result;
  }

  private setQueues(queues: Map<string, Record<string, number>> | undefined): void {
    this.queueJobs.reset();
    this.sourceUp.set({ source: 'redis' }, queues === undefined ? 0 : 1);
    for (const [queue, counts] of queues ?? []) {
      for (const state of QUEUE_STATES) this.queueJobs.set({ queue, state }, counts[state] ?? 0);
    }
  }

  /** A scrape during an outage still answers; the log says why, at most once a minute. */
  private reportFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLog < 60_000) return;
    this.lastFailureLog = now;
    this.logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      'metrics: a source could not be read',
    );
  }
}
