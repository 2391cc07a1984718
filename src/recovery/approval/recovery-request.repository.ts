import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import { RecoveryApproval } from './recovery-approval.entity';
import { EVIDENCE_FAILURES, RecoveryRequest, RequestStatus } from './recovery-request.entity';

export interface RequestFilter {
  status?: RequestStatus;
  sender?: string;
  page: number;
  pageSize: number;
  /** newest first by default; the agents' queue of open requests reads oldest first */
  order?: 'newest' | 'oldest';
}

type NewRequest = Omit<
  RecoveryRequest,
  'id' | 'decidedAt' | 'decidedBy' | 'executesAt' | 'completedAt' | 'denyReason'
>;

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } })
    .driverError;
  return driverError?.code === '23505' && driverError.constraint === constraint;
}

@Injectable()
export class RecoveryRequestRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /**
   * Inserts a request inside a savepoint. Returns 'duplicate_open' when the user already has an
   * open request (the partial unique index decides, so two messages racing get one request).
   */
  async insert(
    manager: EntityManager,
    values: NewRequest,
  ): Promise<RecoveryRequest | 'duplicate_open'> {
    await manager.query('SAVEPOINT recovery_request_insert');
    try {
      const repository = manager.getRepository(RecoveryRequest);
      const saved = await repository.save(
        repository.create({
          ...values,
          decidedAt: values.status === 'rejected' ? values.receivedAt : null,
          decidedBy: null,
          executesAt: null,
          completedAt: null,
          denyReason: null,
        }),
      );
      await manager.query('RELEASE SAVEPOINT recovery_request_insert');
      return saved;
    } catch (error) {
      await manager.query('ROLLBACK TO SAVEPOINT recovery_request_insert');
      if (isUniqueViolation(error, 'recovery_requests_one_open_per_user')) return 'duplicate_open';
      throw error;
    }
  }

  hasOpenRequest(userId: string, manager?: EntityManager): Promise<boolean> {
    return this.manager(manager)
      .getRepository(RecoveryRequest)
      .existsBy({ userId, status: In(['awaiting_approval', 'approved']) });
  }

  /** The user's open requests (at most one by the partial unique index), locked. */
  findOpenOfUser(userId: string, manager: EntityManager): Promise<RecoveryRequest[]> {
    return manager
      .getRepository(RecoveryRequest)
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.user_id = :userId AND r.status IN (:...open)', {
        userId,
        open: ['awaiting_approval', 'approved'],
      })
      .getMany();
  }

  /**
   * What an organization's owner and admins see of its members' requests (GET
   * /api/org/recovery-requests): newest first, optionally of one status.
   */
  async listForOrganization(filter: {
    organizationId: string;
    status?: RequestStatus;
    page: number;
    pageSize: number;
  }): Promise<{ items: RecoveryRequest[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(RecoveryRequest).findAndCount({
      where: {
        organizationId: filter.organizationId,
        ...(filter.status !== undefined ? { status: filter.status } : {}),
      },
      order: { receivedAt: 'DESC', id: 'DESC' },
      skip: (filter.page - 1) * filter.pageSize,
      take: filter.pageSize,
    });
    return { items, total };
  }

  /**
   * Attempts that count towards the 3-per-24-hours limit: evidence failures, and also requests
   * that were cancelled or denied — otherwise whoever holds the mailbox could probe the evidence
   * for free (a match costs nothing if they cancel it at once with the link).
   */
  countEvidenceFailuresSince(userId: string, since: Date, manager?: EntityManager) {
    const repository = this.manager(manager).getRepository(RecoveryRequest);
    const recent = { userId, receivedAt: MoreThanOrEqual(since) };
    return repository.countBy([
      { ...recent, reason: In(EVIDENCE_FAILURES) },
      { ...recent, status: In(['cancelled', 'denied']) },
    ]);
  }

  countRequestsSince(userId: string, since: Date, manager?: EntityManager) {
    return this.manager(manager)
      .getRepository(RecoveryRequest)
      .countBy({ userId, receivedAt: MoreThanOrEqual(since) });
  }

  findById(id: string, manager?: EntityManager) {
    return this.manager(manager).getRepository(RecoveryRequest).findOneBy({ id });
  }

  /** Locks the request row for the rest of the transaction (approvals are counted under it). */
  findByIdForUpdate(manager: EntityManager, id: string) {
    return manager
      .getRepository(RecoveryRequest)
      .createQueryBuilder('r')
      .setLock('pessimistic_write')
      .where('r.id = :id', { id })
      .getOne();
  }

  findByCancelTokenHash(hash: Buffer, manager?: EntityManager) {
    return this.manager(manager)
      .getRepository(RecoveryRequest)
      .createQueryBuilder('r')
      .where('r.cancel_token_hash = :hash', { hash })
      .getOne();
  }

  async list(filter: RequestFilter): Promise<{ items: RecoveryRequest[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(RecoveryRequest).findAndCount({
      where: {
        ...(filter.status !== undefined ? { status: filter.status } : {}),
        ...(filter.sender !== undefined ? { sender: filter.sender } : {}),
      },
      order:
        filter.order === 'oldest'
          ? { receivedAt: 'ASC', id: 'ASC' }
          : { receivedAt: 'DESC', id: 'DESC' },
      skip: (filter.page - 1) * filter.pageSize,
      take: filter.pageSize,
    });
    return { items, total };
  }

  /** How many requests are in each status (the counts above the agents' queue). */
  /** The current status of each of these requests (unknown ids are left out). */
  async statusesOf(ids: string[]): Promise<Map<string, RequestStatus>> {
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource
      .getRepository(RecoveryRequest)
      .find({ select: { id: true, status: true }, where: { id: In(ids) } });
    return new Map(rows.map((row) => [row.id, row.status]));
  }

  async countByStatus(): Promise<Map<RequestStatus, number>> {
    const rows: { status: RequestStatus; count: string }[] = await this.dataSource
      .getRepository(RecoveryRequest)
      .createQueryBuilder('r')
      .select('r.status', 'status')
      .addSelect('count(*)', 'count')
      .groupBy('r.status')
      .getRawMany();
    return new Map(rows.map((row) => [row.status, Number(row.count)]));
  }

  approvals(requestId: string, manager?: EntityManager) {
    return this.manager(manager)
      .getRepository(RecoveryApproval)
      .find({ where: { requestId }, order: { approvedAt: 'ASC' } });
  }

  async insertApproval(
    manager: EntityManager,
    values: Omit<RecoveryApproval, 'approvedAt'>,
  ): Promise<void> {
    await manager.getRepository(RecoveryApproval).insert({ ...values, approvedAt: new Date() });
  }

  /**
   * The guarded transition: `UPDATE … WHERE id = $1 AND status IN (from)`. Returns
   * the updated row, or null when the request was no longer in one of the `from` states — so two
   * agents clicking at once give one decision.
   */
  async transition(
    manager: EntityManager,
    id: string,
    from: RequestStatus[],
    to: RequestStatus,
    values: Partial<RecoveryRequest> = {},
  ): Promise<RecoveryRequest | null> {
    const result = await manager
      .createQueryBuilder()
      .update(RecoveryRequest)
      .set({ ...values, status: to })
      .where('id = :id AND status IN (:...from)', { id, from })
      .returning('*')
      .execute();
    const rows = result.raw as Record<string, unknown>[];
    if (rows.length === 0) return null;
    return manager.getRepository(RecoveryRequest).create(
      manager
        .getRepository(RecoveryRequest)
        .metadata.columns.reduce<Record<string, unknown>>((entity, column) => {
          entity[column.propertyName] = rows[0][column.databaseName];
          return entity;
        }, {}),
    );
  }

  /** Open requests whose time ran out (RECOVERY_EXPIRY_HOURS). */
  findExpired(now: Date, limit = 500) {
    return this.dataSource.getRepository(RecoveryRequest).find({
      where: { status: 'awaiting_approval', expiresAt: LessThanOrEqual(now) },
      take: limit,
    });
  }

  /** Approved requests whose reset is due: the sweeper makes sure each has its job. */
  findApprovedDue(now: Date, limit = 500) {
    return this.dataSource.getRepository(RecoveryRequest).find({
      where: { status: 'approved', executesAt: LessThanOrEqual(now) },
      take: limit,
    });
  }
}
