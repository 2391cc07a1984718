import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SecurityReportLink } from './security-report-link.entity';

@Injectable()
export class SecurityReportLinkRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async insert(
    manager: EntityManager,
    values: Omit<SecurityReportLink, 'id' | 'createdAt' | 'reportedAt' | 'frozenUntil'>,
  ): Promise<void> {
    await manager.getRepository(SecurityReportLink).insert(values);
  }

  /** The link whose token hashes to `hash`; locked for the rest of the transaction when asked. */
  findByTokenHash(
    hash: Buffer,
    options: { manager?: EntityManager; lock?: boolean } = {},
  ): Promise<SecurityReportLink | null> {
    const query = this.manager(options.manager)
      .getRepository(SecurityReportLink)
      .createQueryBuilder('l')
      .where('l.token_hash = :hash', { hash });
    if (options.lock === true) query.setLock('pessimistic_write');
    return query.getOne();
  }

  /** The guarded use of a link: false when it was already used (two clicks at once: one report). */
  async markReported(
    manager: EntityManager,
    id: string,
    reportedAt: Date,
    frozenUntil: Date,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(SecurityReportLink)
      .set({ reportedAt, frozenUntil })
      .where('id = :id AND reported_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** The end of the latest freeze of this user's e-mail recovery still running at `at`, or null. */
  async frozenUntil(userId: string, at: Date, manager?: EntityManager): Promise<Date | null> {
    const rows: { until: Date | null }[] = await this.manager(manager).query(
      `SELECT max(frozen_until) AS until FROM security_report_links
       WHERE user_id = $1 AND reported_at IS NOT NULL AND frozen_until > $2`,
      [userId, at],
    );
    return rows[0]?.until ?? null;
  }

  /** How many reports each of these users made since `since` (users without any are left out). */
  async countReportsSince(
    userIds: string[],
    since: Date,
    manager?: EntityManager,
  ): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows: { userId: string; count: string }[] = await this.manager(manager).query(
      `SELECT user_id AS "userId", count(*) AS count FROM security_report_links
       WHERE user_id = ANY($1::uuid[]) AND reported_at IS NOT NULL AND reported_at >= $2
       GROUP BY user_id`,
      [userIds, since],
    );
    return new Map(rows.map((row) => [row.userId, Number(row.count)]));
  }
}
