import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SessionService } from '../accounts/session.service';
import type { UserRole } from '../accounts/user.entity';
import { AuthenticatedRequest, IS_PUBLIC, REQUIRED_ROLES } from '../common/auth.decorators';
import { bearerToken } from '../common/bearer-token';
import { DomainError } from '../common/domain-error';
import { TwoFactorRequirement, twoFactorRequired } from './two-factor-requirement';

export const SESSION_COOKIE = 'rd_session';

/**
 * Global guard: every route needs a live session unless marked @Public(); @Roles() narrows it,
 * and an agent reaches a role route only with active 2FA.
 * The session comes from `Authorization: Bearer` or, for the web pages, the session cookie.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly requirement: TwoFactorRequirement,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const cookies = request.cookies as Record<string, string> | undefined;
    const token = bearerToken(request) ?? cookies?.[SESSION_COOKIE];
    const user = token === undefined ? undefined : await this.sessions.resolve(token);
    if (user === undefined) throw new DomainError('not_authenticated', 'Sign in first');
    request.user = user;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(REQUIRED_ROLES, targets);
    if (roles !== undefined && !roles.includes(user.role)) {
      throw new DomainError('forbidden', 'Your role may not do this');
    }
    if (roles !== undefined && (await this.requirement.lacksRequiredFactor(user))) {
      throw twoFactorRequired();
    }
    return true;
  }
}
