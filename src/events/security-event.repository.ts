import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returned } from '../common/returned-rows';
import { DeliveryStatus, SecurityEvent } from './security-event.entity';

export type NewSecurityEventRow = Pick<
  SecurityEvent,
  | 'id'
  | 'type'
  | 'occurredAt'
  | 'organizationId'
  | 'userId'
  | 'requestId'
  | 'actorType'
  | 'actorId'
  | 'body'
>;

export type EventClaim =
  | { kind: 'claimed'; event: SecurityEvent }
  /** not committed yet (the change's transaction is still open) or rolled back */
  | { kind: 'missing' }
  /** delivered or given up: nothing to do */
  | { kind: 'done' }
  /** another worker is sending it right now */
  | { kind: 'busy' };

/** Every query on `security_events`; claims and outcomes are guarded updates. */
@Injectable()
export class SecurityEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, row: NewSecurityEventRow): Promise<void> {
    await manager.getRepository(SecurityEvent).insert(row);
  }

  findById(id: string): Promise<SecurityEvent | null> {
    return this.dataSource.getRepository(SecurityEvent).findOneBy({ id });
  }

  /**
   * Takes a pending row for `leaseSeconds` and counts the attempt. Two workers running the same
   * job at once cannot both send: the second one sees `busy` or `done`.
   */
  async claim(id: string, leaseSeconds: number): Promise<EventClaim> {
    const rows = returned<{ id: string }>(
      await this.dataSource.query(
        `UPDATE security_events SET attempts = attempts + 1, last_attempt_at = now(),
                locked_until = now() + make_interval(secs => $2)
          WHERE id = $1 AND status = 'pending'
            AND (locked_until IS NULL OR locked_until < now())
          RETURNING id`,
        [id, leaseSeconds],
      ),
    );
    const event = await this.findById(id);
    if (event === null) return { kind: 'missing' };
    if (rows.length === 1) return { kind: 'claimed', event };
    return event.status === 'pending' ? { kind: 'busy' } : { kind: 'done' };
  }

  async markDelivered(id: string, httpStatus: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE security_events SET status = 'delivered', delivered_at = now(), last_status = $2,
              last_error = NULL, locked_until = NULL, next_attempt_at = NULL
        WHERE id = $1 AND status = 'pending'`,
      [id, httpStatus],
    );
  }

  /** A failed attempt: `retryInMs` until the next one, or null to give up (`failed`). */
  async recordFailure(
    id: string,
    failure: { httpStatus: number | null; error: string },
    retryInMs: number | null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE security_events SET last_status = $2, last_error = $3, locked_until = NULL,
              status = CASE WHEN $4::integer IS NULL THEN 'failed' ELSE 'pending' END,
              next_attempt_at = CASE WHEN $4::integer IS NULL THEN NULL
                                     ELSE now() + make_interval(secs => $4::integer / 1000.0) END
        WHERE id = $1 AND status = 'pending'`,
      [id, failure.httpStatus, failure.error, retryInMs],
    );
  }

  /**
   * Pending rows nobody works on whose job may be lost: older than `graceSeconds` and not
   * waiting for a retry that is still due later. The sweeper's input.
   */
  async findStalePendingIds(graceSeconds: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM security_events
        WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
          AND (locked_until IS NULL OR locked_until < now())
          AND (next_attempt_at IS NULL OR next_attempt_at < now() - make_interval(secs => $1))
        ORDER BY created_at LIMIT $2`,
      [graceSeconds, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Makes a delivered or failed event pending again; false when there is no such event. */
  async reopen(id: string): Promise<boolean> {
    const rows = returned<{ id: string }>(
      await this.dataSource.query(
        `UPDATE security_events SET status = 'pending', delivered_at = NULL, next_attempt_at = NULL
          WHERE id = $1 RETURNING id`,
        [id],
      ),
    );
    return rows.length === 1;
  }

  async list(query: {
    status?: DeliveryStatus;
    page: number;
    pageSize: number;
  }): Promise<{ items: SecurityEvent[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(SecurityEvent).findAndCount({
      where: query.status === undefined ? {} : { status: query.status },
      order: { createdAt: 'DESC', id: 'ASC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    });
    return { items, total };
  }
}
