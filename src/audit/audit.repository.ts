import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent } from './audit-event.entity';
import type { HashedFields } from './audit-hash';

export interface AuditQuery {
  userId?: string;
  organizationId?: string;
  subjectId?: string;
  page: number;
  pageSize: number;
}

/** An event as written: everything but its place in the chain. */
export type NewAuditEvent = HashedFields & { data: Record<string, unknown> };

/** An unsequenced event, as the sequencer reads it. */
export type PendingAuditEvent = HashedFields & { id: string };

/** The chain's tail: the last sequenced event's position and hash. */
export interface ChainTail {
  seq: number;
  hash: string;
}

/**
 * Key of the transaction-scoped advisory lock held by the one sequencer at work (the same key
 * that once serialized every append).
 */
const SEQUENCER_LOCK = 727274002;

interface PendingRow {
  id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_user_id: string | null;
  organization_id: string | null;
  subject_id: string | null;
  data: unknown;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One INSERT, no lock: the event waits unsequenced until the sequencer integrates it. */
  async insert(manager: EntityManager, event: NewAuditEvent): Promise<void> {
    await manager.query(
      `INSERT INTO audit_events
         (occurred_at, actor_type, actor_id, action, target_user_id, organization_id, subject_id, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        event.occurredAt,
        event.actorType,
        event.actorId,
        event.action,
        event.targetUserId,
        event.organizationId,
        event.subjectId,
        JSON.stringify(event.data),
      ],
    );
  }

  /**
   * Takes the sequencer's lock for the rest of `manager`'s transaction: waits for it when `wait`,
   * otherwise returns false at once when another sequencer holds it.
   */
  async lockSequencer(manager: EntityManager, wait: boolean): Promise<boolean> {
    if (wait) {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEQUENCER_LOCK]);
      return true;
    }
    const [row]: { locked: boolean }[] = await manager.query(
      'SELECT pg_try_advisory_xact_lock($1) AS locked',
      [SEQUENCER_LOCK],
    );
    return row.locked;
  }

  async tail(manager: EntityManager): Promise<ChainTail | null> {
    const rows: { seq: string; hash: string }[] = await manager.query(
      'SELECT seq, hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1',
    );
    return rows.length === 0 ? null : { seq: Number(rows[0].seq), hash: rows[0].hash };
  }

  /** Committed events not yet in the chain, oldest id first. */
  async pending(manager: EntityManager, limit: number): Promise<PendingAuditEvent[]> {
    const rows: PendingRow[] = await manager.query(
      `SELECT id, occurred_at, actor_type, actor_id, action, target_user_id, organization_id,
              subject_id, data
         FROM audit_events WHERE seq IS NULL ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      id: row.id,
      occurredAt: row.occurred_at,
      actorType: row.actor_type,
      actorId: row.actor_id,
      action: row.action,
      targetUserId: row.target_user_id,
      organizationId: row.organization_id,
      subjectId: row.subject_id,
      data: row.data,
    }));
  }

  async hasPending(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      'SELECT 1 FROM audit_events WHERE seq IS NULL LIMIT 1',
    );
    return rows.length > 0;
  }

  async countPending(): Promise<number> {
    const [row]: { n: number }[] = await this.dataSource.query(
      'SELECT count(*)::int AS n FROM audit_events WHERE seq IS NULL',
    );
    return row.n;
  }

  /** Writes the chain positions of a batch in one statement (the append-only guard allows it once). */
  async integrate(
    manager: EntityManager,
    links: { id: string; seq: number; prevHash: string; hash: string }[],
  ): Promise<void> {
    await manager.query(
      `UPDATE audit_events e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])
              AS v(id, seq, prev_hash, hash)
        WHERE e.id = v.id AND e.seq IS NULL`,
      [
        links.map((link) => link.id),
        links.map((link) => link.seq),
        links.map((link) => link.prevHash),
        links.map((link) => link.hash),
      ],
    );
  }

  async find(query: AuditQuery): Promise<{ items: AuditEvent[]; total: number }> {
    const builder = this.dataSource
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .orderBy('e.id', 'DESC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    if (query.userId !== undefined) {
      builder.andWhere('(e.target_user_id = :userId OR e.actor_id = :userId)', {
        userId: query.userId,
      });
    }
    if (query.organizationId !== undefined) {
      builder.andWhere('e.organization_id = :organizationId', {
        organizationId: query.organizationId,
      });
    }
    if (query.subjectId !== undefined) {
      builder.andWhere('e.subject_id = :subjectId', { subjectId: query.subjectId });
    }
    const [items, total] = await builder.getManyAndCount();
    return { items, total };
  }

  /** Streams the chain in sequence order, a batch at a time, so verifying never loads it all. */
  async *walk(batchSize = 1000): AsyncGenerator<AuditEvent> {
    let after = '0';
    for (;;) {
      const batch = await this.dataSource
        .getRepository(AuditEvent)
        .createQueryBuilder('e')
        .where('e.seq > :after', { after })
        .orderBy('e.seq', 'ASC')
        .take(batchSize)
        .getMany();
      if (batch.length === 0) return;
      yield* batch;
      after = batch[batch.length - 1].seq as string;
    }
  }
}
