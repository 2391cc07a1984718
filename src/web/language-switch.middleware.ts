import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isLocale } from './i18n/locale';
import { WebCookies } from './web-cookies';

/** Path and query only, never `//host` (which a browser would read as another site). */
export function localPath(url: URL): string {
  return `${url.pathname.replace(/^\/+/, '/')}${url.search}`;
}

/**
 * `?lang=sv` or `?lang=en` on any page: remembers the choice in a cookie and reloads the same
 * page without the parameter (so the choice is not repeated by bookmarks or shared links).
 */
@Injectable()
export class LanguageSwitchMiddleware implements NestMiddleware {
  constructor(private readonly cookies: WebCookies) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const lang = request.query.lang;
    if (request.method !== 'GET' || lang === undefined) return next();
    const url = new URL(request.originalUrl, 'http://page.invalid');
    url.searchParams.delete('lang');
    if (isLocale(lang)) this.cookies.setLanguage(response, lang);
    response.redirect(303, localPath(url));
  }
}
