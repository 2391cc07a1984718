import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { doubleCsrf } from 'csrf-csrf';
import type { DoubleCsrfUtilities } from 'csrf-csrf';
import type { Request, Response } from 'express';
import type { AuthenticatedRequest } from '../common/auth.decorators';
import { cookie, PRE_SESSION_COOKIE, WebCookies } from './web-cookies';
import { WebCsrfRejected } from './web-errors';

/** The HMAC key of the CSRF tokens, derived from SECRET_KEY (see web.module.ts). */
export const CSRF_SECRET = Symbol('CSRF_SECRET');

/** The hidden field every form carries. */
export const CSRF_FIELD = '_csrf';

/**
 * CSRF protection of every form: csrf-csrf's signed double-submit cookie. The token is an HMAC
 * (keyed by a secret derived from SECRET_KEY) over a random value and the identity of the browser:
 * the session id when signed in, otherwise a random pre-session cookie. A token is therefore
 * useless in another session, and an attacker who can plant cookies still cannot mint one.
 */
@Injectable()
export class WebCsrf {
  private readonly csrf: DoubleCsrfUtilities;

  constructor(
    @Inject(CSRF_SECRET) secret: string,
    private readonly cookies: WebCookies,
  ) {
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: (request) => identity(request) ?? '',
      // the __Host- prefix pins the cookie to this host and path /, but requires Secure
      cookieName: cookies.secure ? '__Host-rd_csrf' : 'rd_csrf',
      cookieOptions: cookies.options(),
      getCsrfTokenFromRequest: (request) => {
        const value = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
        return typeof value === 'string' ? value : undefined;
      },
    });
  }

  /** The token for the forms of the page being rendered (sets the cookie when needed). */
  token(request: Request, response: Response): string {
    if (identity(request) === undefined) this.cookies.preSession(request, response);
    return this.csrf.generateCsrfToken(request, response);
  }

  valid(request: Request): boolean {
    return identity(request) !== undefined && this.csrf.validateRequest(request);
  }
}

function identity(request: Request): string | undefined {
  return (request as AuthenticatedRequest).user?.sessionId ?? cookie(request, PRE_SESSION_COOKIE);
}

/**
 * Refuses every state-changing request without a valid token before the handler runs, so
 * nothing changes. Put it after WebSessionGuard: a signed-in page's token is bound to the session.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly csrf: WebCsrf) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return true;
    if (!this.csrf.valid(request)) throw new WebCsrfRejected();
    return true;
  }
}
