import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditEvent } from './audit-event.entity';

export interface AuditQuery {
  userId?: string;
  organizationId?: string;
  subjectId?: string;
  page: number;
  pageSize: number;
}

/** Key of the transaction-scoped advisory lock that serializes appends to the chain. */
const CHAIN_LOCK = 727274002;

@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Locks the chain for the rest of the caller's transaction and returns the last hash. */
  async lockChainAndGetLastHash(manager: EntityManager): Promise<string | null> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK]);
    const rows: { hash: string }[] = await manager.query(
      'SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1',
    );
    return rows[0]?.hash ?? null;
  }

  async insert(manager: EntityManager, event: Omit<AuditEvent, 'id'>): Promise<AuditEvent> {
    return manager.getRepository(AuditEvent).save(manager.getRepository(AuditEvent).create(event));
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

  /** Streams the whole chain in id order, a batch at a time, so verifying never loads it all. */
  async *walk(batchSize = 1000): AsyncGenerator<AuditEvent> {
    let after = '0';
    for (;;) {
      const batch = await this.dataSource
        .getRepository(AuditEvent)
        .createQueryBuilder('e')
        .where('e.id > :after', { after })
        .orderBy('e.id', 'ASC')
        .take(batchSize)
        .getMany();
      if (batch.length === 0) return;
      yield* batch;
      after = batch[batch.length - 1].id;
    }
  }
}
