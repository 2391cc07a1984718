import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OrganizationPlan } from '../../accounts/organization.entity';
import { User } from '../../accounts/user.entity';
import { BillingRecord } from '../../billing/billing-record.entity';
import type { FactorStatus } from '../../enrollment/two-factor.entity';

/** Everything verification reads about a sender, fetched together. */
export interface SenderRecords {
  user: User;
  /** the organization's plan; null when the user has no organization */
  plan: OrganizationPlan | null;
  /** the factor's status; null when the user has none */
  factorStatus: FactorStatus | null;
  /** the organization's billing records (empty without an organization) */
  billing: BillingRecord[];
}

interface SenderRow {
  id: string;
  organization_id: string | null;
  email: string;
  email_normalized: string;
  name: string;
  role: User['role'];
  locale: User['locale'];
  created_at: Date;
  plan: OrganizationPlan | null;
  factor_status: FactorStatus | null;
  billing: {
    id: string;
    kind: BillingRecord['kind'];
    last4: string | null;
    holderName: string | null;
    studentId: string | null;
    createdAt: string;
  }[];
}

/**
 * The user behind a sender address, their organization's plan and billing records and their
 * factor's status, in ONE statement: the inbound pipeline asks this for every message, and a
 * round trip per table was most of its cost. Reads only.
 */
@Injectable()
export class SenderRecordsRepository {
  async findByEmail(
    emailNormalized: string,
    manager: EntityManager,
  ): Promise<SenderRecords | null> {
    const rows: SenderRow[] = await manager.query(
      `SELECT u.id, u.organization_id, u.email, u.email_normalized, u.name, u.role, u.locale,
              u.created_at, o.plan, f.status AS factor_status,
              (SELECT coalesce(json_agg(json_build_object(
                        'id', b.id, 'kind', b.kind, 'last4', b.last4,
                        'holderName', b.holder_name, 'studentId', b.student_id,
                        'createdAt', b.created_at)), '[]'::json)
                 FROM billing_records b WHERE b.organization_id = u.organization_id) AS billing
         FROM users u
         LEFT JOIN organizations o ON o.id = u.organization_id
         LEFT JOIN two_factor_factors f ON f.user_id = u.id
        WHERE u.email_normalized = $1`,
      [emailNormalized],
    );
    if (rows.length === 0) return null;
    const row = rows[0];
    const user = Object.assign(new User(), {
      id: row.id,
      organizationId: row.organization_id,
      email: row.email,
      emailNormalized: row.email_normalized,
      name: row.name,
      role: row.role,
      locale: row.locale,
      createdAt: row.created_at,
    });
    const billing = row.billing.map((record) =>
      Object.assign(new BillingRecord(), {
        id: record.id,
        organizationId: row.organization_id,
        kind: record.kind,
        last4: record.last4,
        holderName: record.holderName,
        studentId: record.studentId,
        createdAt: new Date(record.createdAt),
      }),
    );
    return { user, plan: row.plan, factorStatus: row.factor_status, billing };
  }
}
