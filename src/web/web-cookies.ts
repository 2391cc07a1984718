import { Injectable } from '@nestjs/common';
import type { CookieOptions, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { SESSION_TTL_HOURS } from '../accounts/session.service';
import { SESSION_COOKIE } from '../sign-in/auth.guard';
import { CHALLENGE_TTL_SECONDS } from '../sign-in/sign-in-challenge.service';
import { AppConfigService } from '../config/app-config.service';
import type { Locale } from './i18n/locale';

/** Between the password step and the code step: the sign-in challenge, never in a URL. */
export const CHALLENGE_COOKIE = 'rd_challenge';
/** A random id for a browser that is not signed in, so its CSRF tokens are bound to something. */
export const PRE_SESSION_COOKIE = 'rd_presession';
export const LANGUAGE_COOKIE = 'rd_lang';

export function cookie(request: Request, name: string): string | undefined {
  const value = (request.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' && value.length <= 200 ? value : undefined;
}

/**
 * Every cookie of the web pages, with one set of attributes: HttpOnly (no script reads them),
 * SameSite=Strict (never sent on a request another site starts), Secure when PUBLIC_URL is https.
 */
@Injectable()
export class WebCookies {
  readonly secure: boolean;

  constructor(config: AppConfigService) {
    this.secure = new URL(config.get('publicUrl')).protocol === 'https:';
  }

  options(extra: CookieOptions = {}): CookieOptions {
    return { httpOnly: true, sameSite: 'strict', secure: this.secure, path: '/', ...extra };
  }

  setSession(response: Response, accessToken: string): void {
    response.cookie(
      SESSION_COOKIE,
      accessToken,
      this.options({ maxAge: SESSION_TTL_HOURS * 3600_000 }),
    );
  }

  clearSession(response: Response): void {
    response.clearCookie(SESSION_COOKIE, this.options());
  }

  /** Scoped to /login: no other page ever receives the challenge. */
  setChallenge(response: Response, challenge: string): void {
    response.cookie(
      CHALLENGE_COOKIE,
      challenge,
      this.options({ path: '/login', maxAge: CHALLENGE_TTL_SECONDS * 1000 }),
    );
  }

  clearChallenge(response: Response): void {
    response.clearCookie(CHALLENGE_COOKIE, this.options({ path: '/login' }));
  }

  setLanguage(response: Response, locale: Locale): void {
    // Lax: a link from a mail or another site still opens the page in the chosen language
    response.cookie(
      LANGUAGE_COOKIE,
      locale,
      this.options({ sameSite: 'lax', maxAge: 365 * 24 * 3600_000 }),
    );
  }

  /** The browser's pre-session id, created on first need (and visible to this same request). */
  preSession(request: Request, response: Response): string {
    const existing = cookie(request, PRE_SESSION_COOKIE);
    if (existing !== undefined) return existing;
    const id = randomBytes(24).toString('base64url');
    response.cookie(PRE_SESSION_COOKIE, id, this.options());
    (request.cookies as Record<string, string>)[PRE_SESSION_COOKIE] = id;
    return id;
  }
}
