import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { OutboundMail } from './outbound-mail.entity';

export type NewOutboundMail = Pick<
  OutboundMail,
  | 'id'
  | 'template'
  | 'toAddress'
  | 'userId'
  | 'locale'
  | 'vars'
  | 'inReplyTo'
  | 'referenceIds'
  | 'autoReply'
  | 'messageId'
>;

export type ClaimResult =
  | { kind: 'claimed'; mail: OutboundMail }
  /** not committed yet (the caller's transaction is still open) or rolled back */
  | { kind: 'missing' }
  /** already sent or given up: nothing to do */
  | { kind: 'done'; status: 'sent' | 'failed' }
  /** another worker holds it right now */
  | { kind: 'busy' };

@Injectable()
export class OutboundMailRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, mail: NewOutboundMail): Promise<void> {
    await manager.getRepository(OutboundMail).insert(mail);
  }

  findById(id: string): Promise<OutboundMail | null> {
    return this.dataSource.getRepository(OutboundMail).findOneBy({ id });
  }

  /**
   * Takes a pending row for `leaseSeconds` and counts the attempt. The guarded UPDATE means two
   * workers running the same job at once cannot both send: the second one sees `busy` or `done`.
   */
  async claim(id: string, leaseSeconds: number): Promise<ClaimResult> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(OutboundMail)
      .set({
        attempts: () => 'attempts + 1',
        lockedUntil: () => `now() + make_interval(secs => ${Number(leaseSeconds)})`,
      })
      .where('id = :id', { id })
      .andWhere(`status = 'pending'`)
      .andWhere('(locked_until IS NULL OR locked_until < now())')
      .execute();
    const mail = await this.findById(id);
    if (mail === null) return { kind: 'missing' };
    if ((result.affected ?? 0) > 0) return { kind: 'claimed', mail };
    if (mail.status === 'pending') return { kind: 'busy' };
    return { kind: 'done', status: mail.status };
  }

  /** Sent: keep the record, wipe the variables (a cancel link carries a secret token). */
  async markSent(id: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(OutboundMail)
      .set({
        status: 'sent',
        sentAt: () => 'now()',
        vars: null,
        lockedUntil: null,
        lastError: null,
      })
      .where('id = :id', { id })
      .andWhere(`status = 'pending'`)
      .execute();
  }

  /**
   * Records a failed attempt; `final` gives up on the row (its variables are wiped too: a link
   * that never reached anyone must not linger in plaintext). Otherwise the row stays pending.
   */
  async recordFailure(id: string, error: string, final: boolean): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .update(OutboundMail)
      .set(
        final
          ? { status: 'failed', lastError: error, lockedUntil: null, vars: null }
          : { lastError: error, lockedUntil: null },
      )
      .where('id = :id', { id })
      .andWhere(`status = 'pending'`)
      .execute();
  }

  /** Pending rows nobody is working on, older than the grace period: the sweeper's input. */
  async findStalePendingIds(olderThanSeconds: number, limit: number): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(OutboundMail)
      .createQueryBuilder('m')
      .select('m.id', 'id')
      .where(`m.status = 'pending'`)
      .andWhere('m.created_at < now() - make_interval(secs => :age)', { age: olderThanSeconds })
      .andWhere('(m.locked_until IS NULL OR m.locked_until < now())')
      .orderBy('m.created_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }
}
