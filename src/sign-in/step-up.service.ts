import { Injectable } from '@nestjs/common';
import { SessionService, STEP_UP_MINUTES } from '../accounts/session.service';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { DomainError } from '../common/domain-error';
import { SecondFactorService } from '../enrollment/second-factor.service';
import { twoFactorRequired } from './two-factor-requirement';

/**
 * Step-up: a session proves its second factor again before an action that must not follow from a
 * stolen or forgotten session alone. A code checked here goes through the same
 * SecondFactorService check as sign-in and the admin reset (each time step once, wrong codes count
 * towards the lock-out), and the session remembers when it last succeeded.
 */
@Injectable()
export class StepUpService {
  constructor(
    private readonly sessions: SessionService,
    private readonly secondFactor: SecondFactorService,
  ) {}

  /** POST /api/auth/step-up: checks the code and renews the session's step-up. */
  async renew(actor: AuthenticatedUser, code: string): Promise<void> {
    const outcome = await this.secondFactor.verifyTotp(actor, code, 'step_up');
    if (outcome === 'not_active') {
      throw twoFactorRequired();
    }
    if (outcome === 'wrong') throw new DomainError('invalid_code', 'The code is not valid');
    await this.sessions.markSteppedUp(actor.sessionId);
  }

  /**
   * For an action that needs a fresh second factor: a code given with the action is checked (and
   * renews the step-up); without one, the session must have proved it within STEP_UP_MINUTES.
   */
  async require(actor: AuthenticatedUser, code: string | undefined): Promise<void> {
    if (code !== undefined) return this.renew(actor, code);
    if (await this.sessions.hasFreshStepUp(actor.sessionId)) return;
    throw new DomainError(
      'step_up_required',
      `Confirm it is you: send a current code from your authenticator (POST /api/auth/step-up, or "code" with this request); the last one is more than ${STEP_UP_MINUTES} minutes old`,
    );
  }

  isFresh(actor: AuthenticatedUser): Promise<boolean> {
    return this.sessions.hasFreshStepUp(actor.sessionId);
  }
}
