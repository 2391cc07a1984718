import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { AccountsRepository } from '../accounts/accounts.repository';
import type { UserRole } from '../accounts/user.entity';
import type { TwoFactorStatus } from './two-factor.entity';
import { TwoFactorRepository } from './two-factor.repository';

export type { TwoFactorStatus };

export interface MeView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  organizationId: string | null;
  locale: string;
  twoFactor: { status: TwoFactorStatus; recoveryCodesRemaining: number };
}

@Injectable()
export class MeService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly twoFactor: TwoFactorRepository,
  ) {}

  async view(userId: string): Promise<MeView> {
    const user = await this.accounts.findUser(userId);
    if (user === null) throw new DomainError('not_authenticated');
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      organizationId: user.organizationId,
      locale: user.locale,
      twoFactor: await this.twoFactor.summary(user.id),
    };
  }
}
