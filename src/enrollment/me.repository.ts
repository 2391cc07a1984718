import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Locale } from '../accounts/user.entity';
import type { MeView } from './me.service';
import type { TwoFactorStatus } from './two-factor.entity';
import { directQuery } from '../database/direct-query';

interface MeRow {
  id: string;
  email: string;
  name: string;
  role: MeView['role'];
  organization_id: string | null;
  locale: Locale;
  factor_status: TwoFactorStatus | null;
  codes_remaining: number;
}

/**
 * The own-account view in one statement: the user, the factor's status and, with an active
 * factor, the unused recovery codes (GET /api/me is called on every page a client shows).
 */
@Injectable()
export class MeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findView(userId: string): Promise<MeView | null> {
    const rows = await directQuery<MeRow>(
      this.dataSource,
      `SELECT u.id, u.email, u.name, u.role, u.organization_id, u.locale,
              f.status AS factor_status,
              CASE WHEN f.status = 'active'
                   THEN (SELECT count(*)::int FROM two_factor_recovery_codes c
                          WHERE c.user_id = u.id AND c.used_at IS NULL)
                   ELSE 0 END AS codes_remaining
         FROM users u LEFT JOIN two_factor_factors f ON f.user_id = u.id
        WHERE u.id = $1`,
      [userId],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      role: row.role,
      organizationId: row.organization_id,
      locale: row.locale,
      twoFactor: {
        status: row.factor_status ?? 'disabled',
        recoveryCodesRemaining: row.codes_remaining,
      },
    };
  }
}
