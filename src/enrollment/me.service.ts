import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import type { UserRole } from '../accounts/user.entity';
import { MeRepository } from './me.repository';
import type { TwoFactorStatus } from './two-factor.entity';

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
  constructor(private readonly repository: MeRepository) {}

  async view(userId: string): Promise<MeView> {
    const view = await this.repository.findView(userId);
    if (view === null) throw new DomainError('not_authenticated');
    return view;
  }
}
