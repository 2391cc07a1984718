import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { AccountsRepository } from '../accounts/accounts.repository';
import { normalizeEmail } from '../accounts/email-address';
import { dummyPasswordHash, verifyPassword } from '../accounts/password-hasher';
import { SessionService } from '../accounts/session.service';
import type { User } from '../accounts/user.entity';
import type { ClientInfo } from '../common/client-info';
import { TwoFactorRepository } from '../enrollment/two-factor.repository';
import { LoginRateLimiter } from './login-rate-limiter';
import { SignInChallengeService } from './sign-in-challenge.service';

export type { ClientInfo };

export type SignInResult =
  { next: 'done'; accessToken: string } | { next: 'totp' | 'enroll'; challenge: string };

/** How the sign-in was completed, for the audit trail. */
export type SignInMethod = 'password' | 'totp' | 'recovery_code' | 'enrollment';

const INVALID = 'Wrong e-mail or password';

@Injectable()
export class SignInService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly sessions: SessionService,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
    private readonly twoFactor: TwoFactorRepository,
    private readonly challenges: SignInChallengeService,
  ) {}

  /**
   * The password step. Unknown e-mail and wrong password give the same error after the same work
   * (a scrypt verification against a dummy hash), so neither the answer nor its timing tells
   * whether an account exists.
   */
  async passwordStep(email: string, password: string, client: ClientInfo): Promise<User> {
    const key = normalizeEmail(email) ?? email.trim().toLowerCase();
    await this.limiter.reserveAttempt(key);
    let user: User | null;
    let valid: boolean;
    try {
      user = await this.accounts.findUserByEmailWithPassword(key);
      const hash = user?.passwordHash ?? (await dummyPasswordHash());
      valid = await this.limiter.checkPassword(key, client.ip, () =>
        verifyPassword(password, hash),
      );
    } catch (error) {
      await this.limiter.release(key);
      throw error;
    }
    if (user === null || !valid) {
      await this.limiter.recordFailure(client.ip);
      if (user !== null) {
        await this.audit.record({
          actor: { type: 'user', id: user.id },
          action: 'auth.password_failed',
          targetUserId: user.id,
          organizationId: user.organizationId,
          data: { ip: client.ip },
        });
      }
      throw new DomainError('invalid_credentials', INVALID);
    }
    await this.limiter.recordSuccess(key, client.ip);
    return user;
  }

  /**
   * Password first, then what the second factor asks for: a code when the factor is active;
   * enrollment after a reset, for an agent without a factor, or when the organization requires 2FA
   * and the user has none (a `pending` enrollment is not a factor yet). The challenge is a
   * short-lived, single-use ticket for exactly that next step; no session exists until it is
   * completed.
   */
  async login(email: string, password: string, client: ClientInfo): Promise<SignInResult> {
    const user = await this.passwordStep(email, password, client);
    const factor = await this.twoFactor.findFactor(user.id);
    if (factor?.status === 'active') {
      return { next: 'totp', challenge: await this.challenges.issue(user.id, 'totp', client.ip) };
    }
    if (factor?.status === 'reset_required' || (await this.requires2fa(user))) {
      return {
        next: 'enroll',
        challenge: await this.challenges.issue(user.id, 'enroll', client.ip),
      };
    }
    return this.completeSignIn(user, client);
  }

  /**
   * Agents always need 2FA: an agent can reset anyone's second factor, which makes theirs the
   * most valuable account here. Everyone else needs it when their organization says so.
   */
  private async requires2fa(user: User): Promise<boolean> {
    if (user.role === 'agent') return true;
    if (user.organizationId === null) return false;
    const organization = await this.accounts.findOrganization(user.organizationId);
    return organization?.require2fa ?? false;
  }

  /**
   * Issues the session once every required factor has been checked. With a manager, the session
   * and its audit event commit in the caller's transaction (with the used-up challenge).
   */
  async completeSignIn(
    user: User,
    client: ClientInfo,
    options: { manager?: EntityManager; method?: SignInMethod } = {},
  ): Promise<{ next: 'done'; accessToken: string }> {
    const method = options.method ?? 'password';
    // a code checked at sign-in (TOTP, recovery code, enrollment confirmation) counts as a step-up
    const { accessToken, sessionId } = await this.sessions.create(
      user.id,
      client,
      options.manager,
      method !== 'password',
    );
    await this.audit.record(
      {
        actor: { type: 'user', id: user.id },
        action: 'auth.signed_in',
        targetUserId: user.id,
        organizationId: user.organizationId,
        subjectId: sessionId,
        data: { ip: client.ip, method },
      },
      options.manager,
    );
    return { next: 'done', accessToken };
  }

  async logout(sessionId: string, userId: string): Promise<void> {
    await this.sessions.revoke(sessionId);
    await this.audit.record({
      actor: { type: 'user', id: userId },
      action: 'auth.signed_out',
      targetUserId: userId,
      subjectId: sessionId,
    });
  }
}
