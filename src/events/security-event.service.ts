import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AppConfigService } from '../config/app-config.service';
import { DomainError } from '../common/domain-error';
import { AfterCommitHooks } from '../mail/after-commit';
import {
  NewSecurityEvent,
  recoveryEventType,
  SecurityEventActorType,
  securityEventBody,
} from './security-event-body';
import type { DeliveryStatus, SecurityEvent } from './security-event.entity';
import { SecurityEventQueue } from './security-event-delivery.queue';
import { SecurityEventRepository } from './security-event.repository';

/**
 * The one way to raise a security event for other systems. `record` writes it into the outbox
 * inside the caller's transaction — the event exists exactly when the change it reports does —
 * and queues its delivery once that transaction commits. With EVENTS_WEBHOOK_URL unset nothing
 * is recorded (there is nobody to deliver to).
 */
@Injectable()
export class SecurityEventService {
  readonly enabled: boolean;

  constructor(
    private readonly repository: SecurityEventRepository,
    private readonly queue: SecurityEventQueue,
    private readonly afterCommit: AfterCommitHooks,
    config: AppConfigService,
  ) {
    this.enabled = config.get('eventsWebhookUrl') !== undefined;
  }

  /** Returns the event id, or null when events are off. `manager` must be in a transaction. */
  async record(manager: EntityManager, event: NewSecurityEvent): Promise<string | null> {
    if (!this.enabled) return null;
    const id = randomUUID();
    const occurredAt = new Date();
    await this.repository.insert(manager, {
      id,
      type: event.type,
      occurredAt,
      organizationId: event.organizationId,
      userId: event.userId,
      requestId: event.requestId ?? null,
      actorType: event.actor.type,
      actorId: event.actor.id ?? null,
      body: securityEventBody(id, occurredAt, event),
    });
    // a rolled-back change leaves neither the row nor a job; without a transaction the row is
    // already committed and is queued at once
    if (!this.afterCommit.schedule(manager, () => void this.queue.add(id))) {
      await this.queue.add(id);
    }
    return id;
  }

  /**
   * The event of one step of a recovery request's life, named by its audit action
   * (`recovery.awaiting_approval` is `recovery.requested`; approval steps short of the decision
   * and rejections raise none). Call it in the step's transaction, beside its audit event.
   */
  async recordRecoveryStep(
    manager: EntityManager,
    request: { id: string; userId: string | null; organizationId: string | null },
    actor: { type: SecurityEventActorType; id?: string | null },
    action: string,
  ): Promise<string | null> {
    const type = recoveryEventType(action);
    if (type === undefined || request.userId === null) return null;
    return this.record(manager, {
      type,
      organizationId: request.organizationId,
      userId: request.userId,
      requestId: request.id,
      actor,
    });
  }

  deliveries(query: {
    status?: DeliveryStatus;
    page: number;
    pageSize: number;
  }): Promise<{ items: SecurityEvent[]; total: number }> {
    return this.repository.list(query);
  }

  /**
   * Sends one event again (a receiver lost it, or it failed after its retries): the row becomes
   * pending and a job is queued now, with the same `webhook-id`. Returns whether a job was queued
   * (false: Redis is away, and the sweeper queues it later).
   */
  async redeliver(eventId: string): Promise<boolean> {
    if (!(await this.repository.reopen(eventId))) {
      throw new DomainError('not_found', `No security event ${eventId}`);
    }
    return this.queue.add(eventId);
  }
}
