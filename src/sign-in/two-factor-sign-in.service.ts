import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository';
import type { User } from '../accounts/user.entity';
import type { ClientInfo } from '../common/client-info';
import { DomainError } from '../common/domain-error';
import { EnrollmentService, EnrollmentView } from '../enrollment/enrollment.service';
import { SecondFactorService } from '../enrollment/second-factor.service';
import type { ChallengePurpose, SignInChallenge } from './sign-in-challenge.entity';
import { SignInChallengeService } from './sign-in-challenge.service';
import { SignInService } from './sign-in.service';

export interface SignedIn {
  next: 'done';
  accessToken: string;
}

/**
 * The second step of sign-in, after `SignInService.login` answered `totp` or `enroll` with a
 * challenge: a TOTP code or a recovery code, or enrolling a factor now. The session is created in
 * the same transaction that uses the challenge up, so a challenge opens at most one session.
 */
@Injectable()
export class TwoFactorSignInService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly signIn: SignInService,
    private readonly challenges: SignInChallengeService,
    private readonly secondFactor: SecondFactorService,
    private readonly enrollment: EnrollmentService,
  ) {}

  async totp(token: string, code: string, client: ClientInfo): Promise<SignedIn> {
    const { challenge, user } = await this.open(token, 'totp');
    const outcome = await this.secondFactor.verifyTotp(user, code, 'sign_in');
    return this.finish(challenge, user, outcome, client, 'totp');
  }

  async recoveryCode(token: string, code: string, client: ClientInfo): Promise<SignedIn> {
    const { challenge, user } = await this.open(token, 'totp');
    const outcome = await this.secondFactor.useRecoveryCode(user, code);
    return this.finish(challenge, user, outcome, client, 'recovery_code');
  }

  async enroll(token: string): Promise<EnrollmentView> {
    const { user } = await this.open(token, 'enroll');
    return this.enrollment.start(user, 'sign_in');
  }

  async confirmEnrollment(
    token: string,
    code: string,
    client: ClientInfo,
  ): Promise<SignedIn & { recoveryCodes: string[] }> {
    const { challenge, user } = await this.open(token, 'enroll');
    const { recoveryCodes, then } = await this.enrollment.confirm(
      user,
      code,
      'sign_in',
      async (tx) => {
        await this.challenges.consume(challenge, tx);
        return this.signIn.completeSignIn(user, client, { manager: tx, method: 'enrollment' });
      },
    );
    return { ...(then as SignedIn), recoveryCodes };
  }

  private async open(
    token: string,
    purpose: ChallengePurpose,
  ): Promise<{ challenge: SignInChallenge; user: User }> {
    const challenge = await this.challenges.require(token, purpose);
    const user = await this.accounts.findUser(challenge.userId);
    if (user === null) throw new DomainError('invalid_challenge', 'Sign in again');
    return { challenge, user };
  }

  private async finish(
    challenge: SignInChallenge,
    user: User,
    outcome: 'ok' | 'wrong' | 'not_active',
    client: ClientInfo,
    method: 'totp' | 'recovery_code',
  ): Promise<SignedIn> {
    if (outcome === 'not_active') {
      // the factor was reset since the password step: start over, sign-in will ask to enroll
      throw new DomainError(
        'invalid_challenge',
        'Two-factor authentication changed; sign in again',
      );
    }
    if (outcome === 'wrong') {
      throw new DomainError(
        'invalid_code',
        method === 'totp' ? 'The code is not valid' : 'The recovery code is not valid',
      );
    }
    return this.dataSource.transaction(async (tx) => {
      await this.challenges.consume(challenge, tx);
      return this.signIn.completeSignIn(user, client, { manager: tx, method });
    });
  }
}
