import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditActorType, AuditEvent } from './audit-event.entity';
import { auditHash, GENESIS_HASH } from './audit-hash';
import { AuditQuery, AuditRepository } from './audit.repository';

export interface AuditEntry {
  actor: { type: AuditActorType; id?: string | null };
  action: string;
  targetUserId?: string | null;
  organizationId?: string | null;
  subjectId?: string | null;
  /** never a secret, a token, a password or a billing value */
  data?: Record<string, unknown>;
}

export interface ChainVerification {
  ok: boolean;
  events: number;
  /** id of the first event whose hash does not follow, when not ok */
  brokenAt?: string;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Appends an event inside the caller's transaction, so the event and the change it describes
   * commit together or not at all. Without a manager it opens its own transaction.
   */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<AuditEvent> {
    if (manager === undefined) {
      return this.dataSource.transaction((tx) => this.record(entry, tx));
    }
    const prevHash = (await this.repository.lockChainAndGetLastHash(manager)) ?? GENESIS_HASH;
    const fields = {
      occurredAt: new Date(),
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      action: entry.action,
      targetUserId: entry.targetUserId ?? null,
      organizationId: entry.organizationId ?? null,
      subjectId: entry.subjectId ?? null,
      data: entry.data ?? {},
    };
    return this.repository.insert(manager, {
      ...fields,
      prevHash,
      hash: auditHash(prevHash, fields),
    });
  }

  list(query: AuditQuery): Promise<{ items: AuditEvent[]; total: number }> {
    return this.repository.find(query);
  }

  /** Recomputes every hash from the genesis anchor; any edited, removed or inserted row shows. */
  async verify(): Promise<ChainVerification> {
    let expectedPrev = GENESIS_HASH;
    let events = 0;
    for await (const event of this.repository.walk()) {
      events += 1;
      const recomputed = auditHash(event.prevHash, event);
      if (event.prevHash !== expectedPrev || recomputed !== event.hash) {
        return { ok: false, events, brokenAt: event.id };
      }
      expectedPrev = event.hash;
    }
    return { ok: true, events };
  }
}
