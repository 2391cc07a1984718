import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, LessThanOrEqual } from 'typeorm';
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

/** An owner or admin of the organization, beside the user a request is about. */
export interface OrganizationAdmin {
  id: string;
  email: string;
  name: string;
  role: 'owner' | 'admin';
  locale: 'sv' | 'en';
  /** null when the admin has no factor */
  factorStatus: string | null;
}

export interface IntakeFacts {
  open: boolean;
  failures: number;
  recent: number;
  admins: OrganizationAdmin[];
}

/**
 * A scalar subquery: the organization's owners and admins except one user, as a JSON array of
 * OrganizationAdmin, oldest account first. Arguments are the placeholders to use.
 */
function adminsOf(organizationId: string, exceptUserId: string): string {
  return `(SELECT coalesce(json_agg(json_build_object(
                   'id', u.id, 'email', u.email, 'name', u.name, 'role', u.role,
                   'locale', u.locale, 'factorStatus', f.status)
                   ORDER BY u.created_at, u.email), '[]'::json)
            FROM users u LEFT JOIN two_factor_factors f ON f.user_id = u.id
           WHERE u.organization_id = ${organizationId} AND u.id <> ${exceptUserId}
             AND u.role IN ('owner', 'admin'))`;
}

type NewRequest = Omit<
  RecoveryRequest,
  'id' | 'decidedAt' | 'decidedBy' | 'executesAt' | 'completedAt' | 'denyReason'
>;

@Injectable()
export class RecoveryRequestRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /**
   * Inserts a request in one statement. Returns 'duplicate_open' when the user already has an
   * open request (the partial unique index decides, so two messages racing get one request).
   */
  async insert(
    manager: EntityManager,
    values: NewRequest,
  ): Promise<RecoveryRequest | 'duplicate_open'> {
    const id = randomUUID();
    const decidedAt = values.status === 'rejected' ? values.receivedAt : null;
    const rows: unknown[] = await manager.query(
      `INSERT INTO recovery_requests
         (id, inbound_message_id, status, reason, sender, user_id, organization_id, received_at,
          decided_at, checks, risk, approvals_required, subject, body_excerpt, cancel_token_hash,
          expires_at, message_id_header, references_header)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
       ON CONFLICT (user_id) WHERE status IN ('awaiting_approval', 'approved') DO NOTHING
       RETURNING id`,
      [
        id,
        values.inboundMessageId,
        values.status,
        values.reason,
        values.sender,
        values.userId,
        values.organizationId,
        values.receivedAt,
        decidedAt,
        JSON.stringify(values.checks),
        values.risk === null ? null : JSON.stringify(values.risk),
        values.approvalsRequired,
        values.subject,
        values.bodyExcerpt,
        values.cancelTokenHash,
        values.expiresAt,
        values.messageIdHeader,
        values.referencesHeader,
      ],
    );
    if (rows.length === 0) return 'duplicate_open';
    return Object.assign(new RecoveryRequest(), {
      ...values,
      id,
      decidedAt,
      decidedBy: null,
      executesAt: null,
      completedAt: null,
      denyReason: null,
    });
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
   * What the intake weighs for a user, in one statement (run it after locking the user row): an
   * open request, the attempts that count towards the rate limit since `failuresSince`
   * (countEvidenceFailuresSince), the requests since `recentSince`, and the other owners and
   * admins of the organization with their factor's status (for risk signals and notices).
   */
  async intakeFacts(
    manager: EntityManager,
    user: { id: string; organizationId: string | null },
    failuresSince: Date,
    recentSince: Date,
  ): Promise<IntakeFacts> {
    const [row]: IntakeFacts[] = await manager.query(
      `SELECT
         EXISTS (SELECT 1 FROM recovery_requests
                  WHERE user_id = $1 AND status IN ('awaiting_approval', 'approved')) AS "open",
         (SELECT count(*)::int FROM recovery_requests
           WHERE user_id = $1 AND received_at >= $2
             AND (reason = ANY($3::text[]) OR status IN ('cancelled', 'denied'))) AS "failures",
         (SELECT count(*)::int FROM recovery_requests
           WHERE user_id = $1 AND received_at >= $4) AS "recent",
         ${adminsOf('$5', '$1')} AS "admins"`,
      [user.id, failuresSince, EVIDENCE_FAILURES, recentSince, user.organizationId],
    );
    return row;
  }

  /** The owners and admins of the user's organization other than the user (none without one). */
  async organizationAdmins(
    user: { id: string; organizationId: string | null },
    manager: EntityManager,
  ): Promise<OrganizationAdmin[]> {
    if (user.organizationId === null) return [];
    const [row]: { admins: OrganizationAdmin[] }[] = await manager.query(
      `SELECT ${adminsOf('$1', '$2')} AS "admins"`,
      [user.organizationId, user.id],
    );
    return row.admins;
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
