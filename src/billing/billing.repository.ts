import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Organization } from '../accounts/organization.entity';
import { BillingKind, BillingRecord } from './billing-record.entity';

export interface BillingValues {
  kind: BillingKind;
  last4: string | null;
  holderName: string | null;
  studentId: string | null;
}

/** Rows per INSERT statement when a large import is written. */
const INSERT_CHUNK = 1000;

@Injectable()
export class BillingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Locks the organizations' rows for the rest of the transaction (two replacements of the same
   * organization's billing then run one after the other) and returns the ids that exist.
   */
  async lockOrganizations(manager: EntityManager, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await manager.query(
      'SELECT id FROM organizations WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
      [ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  async existingOrganizationIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = await this.dataSource
      .getRepository(Organization)
      .find({ select: { id: true }, where: { id: In(ids) } });
    return new Set(found.map((organization) => organization.id));
  }

  /**
   * Runs work while holding a session-level advisory lock on a dedicated connection, so two
   * processes (two instances starting at once, or a start and a seed:demo) never seed together.
   */
  async withExclusiveLock<T>(key: number, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [key]);
      try {
        return await work();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [key]);
      }
    } finally {
      await runner.release();
    }
  }

  countOrganizations(): Promise<number> {
    return this.dataSource.getRepository(Organization).count();
  }

  /** Deletes the organization's billing records and writes the given ones instead. */
  async replaceForOrganization(
    manager: EntityManager,
    organizationId: string,
    items: BillingValues[],
  ): Promise<void> {
    const repository = manager.getRepository(BillingRecord);
    await repository.delete({ organizationId });
    for (let start = 0; start < items.length; start += INSERT_CHUNK) {
      const chunk = items.slice(start, start + INSERT_CHUNK).map((item) => ({
        ...item,
        organizationId,
      }));
      await repository.insert(chunk);
    }
  }

  countForOrganization(organizationId: string, manager?: EntityManager): Promise<number> {
    return this.records(manager).countBy({ organizationId });
  }

  /** The organization's billing records, for the recovery evidence check. */
  findForOrganization(organizationId: string, manager?: EntityManager): Promise<BillingRecord[]> {
    return this.records(manager).findBy({ organizationId });
  }

  private records(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(BillingRecord);
  }
}
