import { Injectable } from '@nestjs/common';
import { AccountsRepository } from '../accounts/accounts.repository';
import { SessionService } from '../accounts/session.service';
import type { AuthenticatedUser } from '../common/auth.decorators';
import type { User } from '../accounts/user.entity';
import { DomainError } from '../common/domain-error';
import { EnrollmentService, EnrollmentView } from './enrollment.service';

export type { EnrollmentView };

/** The signed-in user's own two-factor settings (the /api/me/2fa routes). */
@Injectable()
export class MyTwoFactorService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly enrollment: EnrollmentService,
    private readonly sessions: SessionService,
  ) {}

  async startEnrollment(userId: string, currentCode?: string): Promise<EnrollmentView> {
    return this.enrollment.start(await this.user(userId), 'settings', currentCode);
  }

  /** The confirmation code proves the new factor in this session: it counts as a step-up. */
  async confirmEnrollment(
    actor: Pick<AuthenticatedUser, 'id' | 'sessionId'>,
    code: string,
  ): Promise<{ status: 'active'; recoveryCodes: string[] }> {
    const { recoveryCodes } = await this.enrollment.confirm(
      await this.user(actor.id),
      code,
      'settings',
      (tx) => this.sessions.markSteppedUp(actor.sessionId, tx),
    );
    return { status: 'active', recoveryCodes };
  }

  async regenerateRecoveryCodes(
    userId: string,
    code: string,
  ): Promise<{ recoveryCodes: string[] }> {
    const recoveryCodes = await this.enrollment.regenerateRecoveryCodes(
      await this.user(userId),
      code,
    );
    return { recoveryCodes };
  }

  private async user(id: string): Promise<User> {
    const user = await this.accounts.findUser(id);
    if (user === null) throw new DomainError('not_authenticated');
    return user;
  }
}
