import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccountsRepository } from '../../accounts/accounts.repository';
import type { User } from '../../accounts/user.entity';
import { TwoFactorRepository } from '../../enrollment/two-factor.repository';
import type { RiskSignals } from './recovery-request.entity';
import { RecoveryRequestRepository } from './recovery-request.repository';

const DAY_MS = 24 * 3600_000;

/** What an agent weighs beside the checks (the `risk` of GET /api/recovery/requests/:id). */
@Injectable()
export class RiskSignalsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly twoFactor: TwoFactorRepository,
    private readonly requests: RecoveryRequestRepository,
  ) {}

  async forUser(user: User, at: Date, manager: EntityManager): Promise<RiskSignals> {
    const colleagues =
      user.organizationId === null
        ? []
        : await this.accounts.findUsersInOrganization(user.organizationId, manager);
    const admins = colleagues.filter(
      (colleague) =>
        colleague.id !== user.id && (colleague.role === 'owner' || colleague.role === 'admin'),
    );
    const statuses = await this.twoFactor.statuses(admins.map((admin) => admin.id));
    return {
      targetRole: user.role,
      // a local admin with 2FA could reset this user in-app: the article says ask them first
      localAdminsWith2fa: admins.filter((admin) => statuses.get(admin.id) === 'active').length,
      requestsLast30Days: await this.requests.countRequestsSince(
        user.id,
        new Date(at.getTime() - 30 * DAY_MS),
        manager,
      ),
      accountAgeDays: Math.max(0, Math.floor((at.getTime() - user.createdAt.getTime()) / DAY_MS)),
    };
  }
}
