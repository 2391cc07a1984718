import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SessionService } from '../accounts/session.service';
import type { UserRole } from '../accounts/user.entity';
import type { AuthenticatedRequest } from '../common/auth.decorators';
import { SESSION_COOKIE } from '../sign-in/auth.guard';
import { TwoFactorRequirement } from '../sign-in/two-factor-requirement';
import { cookie } from './web-cookies';
import { WebForbidden, WebRedirect } from './web-errors';

export const WEB_ROLES = 'webRoles';

/** Only these roles may open the page; others get the HTML 403 page. */
export const WebRoles = (...roles: UserRole[]) => SetMetadata(WEB_ROLES, roles);

/**
 * The web pages' own session check (their routes are @Public() for the API guard): the session
 * cookie, resolved by the same SessionService; no session sends the browser to the sign-in page
 * instead of answering JSON 401. Only the HttpOnly cookie counts here, never a bearer header: the
 * pages' CSRF protection is built for cookies.
 */
@Injectable()
export class WebSessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
    private readonly requirement: TwoFactorRequirement,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = cookie(request, SESSION_COOKIE);
    const user = token === undefined ? undefined : await this.sessions.resolve(token);
    if (user === undefined) throw new WebRedirect('/login');
    request.user = user;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(WEB_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (roles !== undefined && !roles.includes(user.role)) throw new WebForbidden();
    // an agent without 2FA turns it on in the settings first
    if (roles !== undefined && (await this.requirement.lacksRequiredFactor(user))) {
      throw new WebRedirect('/settings');
    }
    return true;
  }
}
