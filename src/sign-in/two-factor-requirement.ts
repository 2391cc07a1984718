import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { DomainError } from '../common/domain-error';
import { TwoFactorRepository } from '../enrollment/two-factor.repository';

/**
 * Agents always use two factors: an agent without an active factor (a session older than that
 * rule, or a factor reset since) may use no agent route until enrolled. Both session guards ask
 * here: the API's (auth.guard.ts) and the pages' (src/web/web-session.guard.ts).
 */
@Injectable()
export class TwoFactorRequirement {
  constructor(private readonly twoFactor: TwoFactorRepository) {}

  async lacksRequiredFactor(user: Pick<AuthenticatedUser, 'id' | 'role'>): Promise<boolean> {
    if (user.role !== 'agent') return false;
    return (await this.twoFactor.findFactor(user.id))?.status !== 'active';
  }
}

/** The answer to an agent without an active factor (see TwoFactorRequirement). */
export function twoFactorRequired(): DomainError {
  return new DomainError(
    'two_factor_required',
    'Set up two-factor authentication first: sign in again to enroll',
  );
}
