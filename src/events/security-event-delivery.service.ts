import { Injectable, Logger } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';
import { AppConfigService } from '../config/app-config.service';
import { SecurityEventRepository } from './security-event.repository';
import { eventRetryDelay, SecurityEventQueue } from './security-event-delivery.queue';

/** The receiver has this long to answer an attempt; then it counts as failed and is retried. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** A worker holds a row this long while it talks to the receiver (well above the timeout). */
const LEASE_SECONDS = 60;
/** Pending rows this old with no job are queued again by the sweeper. */
export const EVENT_SWEEP_AFTER_SECONDS = 30;
const SWEEP_BATCH = 500;

/** Try again later: the row is not committed yet, another worker holds it, or the receiver failed. */
export class EventNotDeliveredError extends Error {}

export type EventDeliveryOutcome = 'delivered' | 'skipped';

/**
 * Sends one security event to EVENTS_WEBHOOK_URL by the Standard Webhooks rules: the row id as
 * `webhook-id` on every attempt (receivers de-duplicate on it), a fresh `webhook-timestamp` and
 * signature per attempt (receivers refuse old timestamps), the stored body unchanged. Any 2xx
 * answer delivers; anything else, a timeout or a network error is retried with back-off.
 */
@Injectable()
export class SecurityEventDeliveryService {
  private readonly logger = new Logger(SecurityEventDeliveryService.name);
  private readonly url: string | undefined;
  private readonly signer: Webhook | undefined;
  private readonly nodeEnv: string;

  constructor(
    private readonly repository: SecurityEventRepository,
    private readonly queue: SecurityEventQueue,
    config: AppConfigService,
  ) {
    this.url = config.get('eventsWebhookUrl');
    const secret = config.get('eventsWebhookSecret');
    this.signer = secret === undefined ? undefined : new Webhook(secret);
    this.nodeEnv = config.get('nodeEnv');
  }

  async deliver(
    eventId: string,
    options: { finalAttempt: boolean },
  ): Promise<EventDeliveryOutcome> {
    if (this.url === undefined || this.signer === undefined) {
      // events were recorded under an earlier configuration: keep them pending for a later one
      throw new EventNotDeliveredError('EVENTS_WEBHOOK_URL is not set');
    }
    const claim = await this.repository.claim(eventId, LEASE_SECONDS);
    switch (claim.kind) {
      case 'missing':
        throw new EventNotDeliveredError('event row not found (not committed yet?)');
      case 'busy':
        throw new EventNotDeliveredError('event is being delivered by another worker');
      case 'done':
        return 'skipped';
      case 'claimed':
        break;
    }
    const event = claim.event;
    const result = await this.post(this.url, this.signer, event.id, event.body);
    if (result.ok) {
      await this.repository.markDelivered(event.id, result.httpStatus);
      this.logger.log(
        { eventId: event.id, type: event.type, attempt: event.attempts },
        'security event delivered',
      );
      return 'delivered';
    }
    const retryInMs = options.finalAttempt ? null : eventRetryDelay(event.attempts, this.nodeEnv);
    await this.repository.recordFailure(event.id, result, retryInMs);
    this.logger.warn(
      {
        eventId: event.id,
        type: event.type,
        attempt: event.attempts,
        reason: result.error,
        final: retryInMs === null,
      },
      'security event not delivered',
    );
    throw new EventNotDeliveredError(result.error);
  }

  /** Queues every pending row whose job was lost; returns how many were queued. */
  async sweep(): Promise<number> {
    const ids = await this.repository.findStalePendingIds(EVENT_SWEEP_AFTER_SECONDS, SWEEP_BATCH);
    let queued = 0;
    for (const id of ids) {
      if (!(await this.queue.add(id))) break; // Redis went away again: next sweep
      queued += 1;
    }
    if (queued > 0) this.logger.log({ queued }, 'security event sweeper queued pending events');
    return queued;
  }

  private async post(
    url: string,
    signer: Webhook,
    id: string,
    body: string,
  ): Promise<
    { ok: true; httpStatus: number } | { ok: false; httpStatus: number | null; error: string }
  > {
    const now = new Date();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'recovery-desk-events',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signer.sign(id, now, body),
        },
        body,
        // a redirect is not an answer: the configured URL is the only place events go
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      // the body is never read into the record: only the status says how it went
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        return { ok: true, httpStatus: response.status };
      }
      return { ok: false, httpStatus: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      return { ok: false, httpStatus: null, error: describeFetchError(error) };
    }
  }
}

/** One line for last_error and the logs: the kind of failure, never the URL (it may hold a token). */
function describeFetchError(error: unknown): string {
  const details = error as { name?: unknown; message?: unknown; cause?: unknown } | null;
  if (details?.name === 'TimeoutError' || details?.name === 'AbortError') {
    return `timeout after ${DELIVERY_TIMEOUT_MS / 1000} s`;
  }
  const cause = details?.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  if (code !== undefined) return `network error ${code}`;
  const message = typeof details?.message === 'string' ? details.message : 'unknown error';
  return message.replace(/\s+/g, ' ').slice(0, 200);
}
