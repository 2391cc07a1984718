import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { AccountsRepository } from './accounts.repository';
import type { UserRole } from './user.entity';

export type TwoFactorStatus = 'disabled' | 'pending' | 'active' | 'reset_required';

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
  constructor(private readonly accounts: AccountsRepository) {}

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
      twoFactor: { status: 'disabled', recoveryCodesRemaining: 0 },
    };
  }
}
