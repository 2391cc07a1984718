import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditActorType, AuditEvent } from './audit-event.entity';
import { auditHash, GENESIS_HASH } from './audit-hash';
import { AuditSequencer } from './audit-sequencer';
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
  /** sequenced events checked */
  events: number;
  /** id of the first event whose hash or place does not follow, when not ok */
  brokenAt?: string;
  /** events committed while the check ran, not yet in the chain (absent when none) */
  pending?: number;
}

@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly sequencer: AuditSequencer,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Writes an event inside the caller's transaction, so the event and the change it describes
   * commit together or not at all. Without a manager it is written on its own. One INSERT and
   * no lock: the sequencer puts it in the hash chain shortly after it commits.
   */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    await this.repository.insert(manager ?? this.dataSource.manager, {
      occurredAt: new Date(),
      actorType: entry.actor.type,
      actorId: entry.actor.id ?? null,
      action: entry.action,
      targetUserId: entry.targetUserId ?? null,
      organizationId: entry.organizationId ?? null,
      subjectId: entry.subjectId ?? null,
      data: entry.data ?? {},
    });
  }

  list(query: AuditQuery): Promise<{ items: AuditEvent[]; total: number }> {
    return this.repository.find(query);
  }

  /**
   * Integrates every event committed so far (as the sequencer would within 100 ms), then
   * recomputes every hash from the genesis anchor in chain order: any edited, removed, inserted
   * or reordered event shows. Events committed during the walk are counted as `pending`.
   */
  async verify(): Promise<ChainVerification> {
    await this.sequencer.flush();
    let expectedPrev = GENESIS_HASH;
    let events = 0;
    for await (const event of this.repository.walk()) {
      events += 1;
      const followed =
        event.seq === String(events) &&
        event.prevHash === expectedPrev &&
        auditHash(expectedPrev, event) === event.hash;
      if (!followed) return { ok: false, events, brokenAt: event.id };
      expectedPrev = event.hash as string;
    }
    const pending = await this.repository.countPending();
    return pending === 0 ? { ok: true, events } : { ok: true, events, pending };
  }
}
