import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository';
import type { Organization } from '../accounts/organization.entity';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { DomainError } from '../common/domain-error';
import { SecondFactorService } from '../enrollment/second-factor.service';
import { TwoFactorNotifier } from '../enrollment/two-factor-notifier';
import { TwoFactorRepository } from '../enrollment/two-factor.repository';
import type { OrganizationUserView, OrganizationView } from './organization-admin.dto';
import { TwoFactorResetService } from './two-factor-reset.service';

function organizationView(organization: Organization): OrganizationView {
  const { id, name, plan, require2fa } = organization;
  return { id, name, plan, require2fa };
}

/**
 * The organization's owner and admins: its settings, its users page and the in-app 2FA reset.
 * Everything is scoped to the actor's own organization; anything else is "not found".
 */
@Injectable()
export class OrganizationAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly twoFactor: TwoFactorRepository,
    private readonly secondFactor: SecondFactorService,
    private readonly resets: TwoFactorResetService,
    private readonly notifier: TwoFactorNotifier,
    private readonly audit: AuditService,
  ) {}

  async organization(actor: AuthenticatedUser): Promise<OrganizationView> {
    return organizationView(await this.ownOrganization(actor));
  }

  async setRequire2fa(actor: AuthenticatedUser, require2fa: boolean): Promise<OrganizationView> {
    const organization = await this.ownOrganization(actor);
    if (organization.require2fa !== require2fa) {
      await this.dataSource.transaction(async (tx) => {
        await this.accounts.updateOrganization(tx, organization.id, { require2fa });
        await this.audit.record(
          {
            actor: { type: 'user', id: actor.id },
            action: 'organization.require_2fa_changed',
            organizationId: organization.id,
            data: { require2fa },
          },
          tx,
        );
      });
    }
    return organizationView({ ...organization, require2fa });
  }

  async users(actor: AuthenticatedUser): Promise<OrganizationUserView[]> {
    const organization = await this.ownOrganization(actor);
    const users = await this.accounts.findUsersInOrganization(organization.id);
    const statuses = await this.twoFactor.statuses(users.map((user) => user.id));
    return users.map((user) => ({
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      twoFactor: { status: statuses.get(user.id) ?? 'disabled' },
    }));
  }

  /**
   * "Reset 2FA token" on the users page. Who may: an owner or admin of the target's organization,
   * never on themselves (that would turn a stolen session into a takeover), an admin never on the
   * owner, and only with their own fresh TOTP code (step-up: a hijacked session alone cannot
   * reset anyone). Every refusal comes before the code is checked, so no code is used up on a
   * refused request, and the code itself is used up like any other (each step once).
   */
  async resetTwoFactor(
    actor: AuthenticatedUser,
    targetId: string,
    code: string,
  ): Promise<{ status: 'reset_required' }> {
    const admin = await this.accounts.findUser(actor.id);
    if (admin === null || admin.organizationId === null) throw new DomainError('not_authenticated');
    const adminFactor = await this.twoFactor.findFactor(admin.id);
    if (adminFactor?.status !== 'active') throw stepUpUnavailable();
    if (targetId === admin.id) {
      throw new DomainError(
        'forbidden',
        'You cannot reset your own two-factor authentication; ask another admin or the owner',
      );
    }
    const target = await this.accounts.findUser(targetId);
    if (target === null || target.organizationId !== admin.organizationId) {
      throw new DomainError('not_found', 'No such user');
    }
    if (admin.role !== 'owner' && target.role === 'owner') {
      throw new DomainError('forbidden', "Only the owner's own recovery can reset the owner");
    }
    const targetFactor = await this.twoFactor.findFactor(target.id);
    if (targetFactor === null) {
      throw new DomainError(
        'two_factor_not_enrolled',
        'This user has no two-factor authentication',
      );
    }
    const outcome = await this.secondFactor.verifyTotp(admin, code, 'step_up');
    if (outcome === 'not_active') throw stepUpUnavailable();
    if (outcome === 'wrong') {
      throw new DomainError('step_up_failed', 'Your code is not valid; enter your current code');
    }
    await this.dataSource.transaction(async (tx) => {
      const resetAt = new Date();
      const result = await this.resets.reset(
        { targetUserId: target.id, actor: { type: 'user', id: admin.id }, reason: 'admin_reset' },
        tx,
      );
      if (result.changed) await this.notifier.resetByAdmin(target, admin, resetAt, tx);
    });
    return { status: 'reset_required' };
  }

  private async ownOrganization(actor: AuthenticatedUser): Promise<Organization> {
    const organization =
      actor.organizationId === null
        ? null
        : await this.accounts.findOrganization(actor.organizationId);
    if (organization === null) throw new DomainError('not_found', 'No organization');
    return organization;
  }
}

function stepUpUnavailable(): DomainError {
  return new DomainError(
    'step_up_unavailable',
    'Turn on two-factor authentication for yourself before resetting it for others',
  );
}
