import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { AccountsRepository } from './accounts.repository';
import { normalizeEmail } from './email-address';
import { LoginRateLimiter } from './login-rate-limiter';
import { dummyPasswordHash, verifyPassword } from './password-hasher';
import { SessionService } from './session.service';
import type { User } from './user.entity';

export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

export type SignInResult =
  { next: 'done'; accessToken: string } | { next: 'totp' | 'enroll'; challenge: string };

const INVALID = 'Wrong e-mail or password';

@Injectable()
export class SignInService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly sessions: SessionService,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
  ) {}

  /**
   * The password step. Unknown e-mail and wrong password give the same error after the same work
   * (a scrypt verification against a dummy hash), so neither the answer nor its timing tells
   * whether an account exists.
   */
  async passwordStep(email: string, password: string, client: ClientInfo): Promise<User> {
    const key = normalizeEmail(email) ?? email.trim().toLowerCase();
    await this.limiter.assertAllowed(key, client.ip);
    const user = await this.accounts.findUserByEmailWithPassword(key);
    const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (user === null || !valid) {
      await this.limiter.recordFailure(key, client.ip);
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
    await this.limiter.recordSuccess(key);
    return user;
  }

  async login(email: string, password: string, client: ClientInfo): Promise<SignInResult> {
    const user = await this.passwordStep(email, password, client);
    return this.completeSignIn(user, client);
  }

  /** Issues the session once every required factor has been checked. */
  async completeSignIn(
    user: User,
    client: ClientInfo,
  ): Promise<{ next: 'done'; accessToken: string }> {
    const { accessToken, sessionId } = await this.sessions.create(user.id, client);
    await this.audit.record({
      actor: { type: 'user', id: user.id },
      action: 'auth.signed_in',
      targetUserId: user.id,
      organizationId: user.organizationId,
      subjectId: sessionId,
      data: { ip: client.ip },
    });
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
