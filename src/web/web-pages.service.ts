import { Injectable } from '@nestjs/common';
import { Eta } from 'eta';
import type { Request, Response } from 'express';
import { AccountsRepository } from '../accounts/accounts.repository';
import { formatDateTime } from '../mail/mail-format';
import type { User } from '../accounts/user.entity';
import type { AuthenticatedRequest } from '../common/auth.decorators';
import { chooseLocale, Locale, messages, Messages } from './i18n/locale';
import { localPath } from './language-switch.middleware';
import { STYLESHEET_PATH } from './static/stylesheet';
import { VIEWS, ViewName } from './views';
import { cookie, LANGUAGE_COOKIE } from './web-cookies';
import { WebCsrf } from './web-csrf';

/** Who is looking at the page, in which language. Computed once per request. */
export interface Viewer {
  locale: Locale;
  t: Messages;
  user?: User;
}

type ViewerRequest = AuthenticatedRequest & { webViewer?: Viewer };

/** Field name → the message shown next to that field. */
export type FieldErrors = Record<string, string>;

/** What every page passes besides its own data. */
export interface PageData {
  title: string;
  errors?: FieldErrors;
  /** a message for the whole form, shown above it */
  formError?: string;
  /** a success message */
  notice?: string;
  /** for pages rendered by a POST: the GET page the language switch returns to */
  languagePath?: string;
  [key: string]: unknown;
}

/** Moments as the mails show them (mail-format.ts): Swedish time, with the zone named. */
function formatDate(locale: Locale) {
  return (value: string | Date | null | undefined): string =>
    value === null || value === undefined
      ? ''
      : formatDateTime(new Date(value).toISOString(), locale);
}

/**
 * Renders the pages: eta templates (auto-escaped: `<%= %>` escapes HTML, the few `<%~ %>` are
 * our own markup), the locale's dictionary, the CSRF token, the signed-in user for the header.
 * Every page is `Cache-Control: no-store`: they carry personal data and one-time secrets.
 */
@Injectable()
export class WebPages {
  private readonly eta = new Eta({ autoEscape: true, useWith: false, varName: 'it', cache: true });

  constructor(
    private readonly accounts: AccountsRepository,
    private readonly csrf: WebCsrf,
  ) {
    for (const [name, template] of Object.entries(VIEWS)) {
      this.eta.loadTemplate(`@${name}`, template);
    }
  }

  async viewer(request: Request): Promise<Viewer> {
    const cached = (request as ViewerRequest).webViewer;
    if (cached !== undefined) return cached;
    const session = (request as ViewerRequest).user;
    const user = session === undefined ? undefined : await this.accounts.findUser(session.id);
    const locale = chooseLocale({
      cookie: cookie(request, LANGUAGE_COOKIE),
      userLocale: user?.locale ?? undefined,
      acceptLanguage: request.headers['accept-language'],
    });
    const viewer: Viewer = { locale, t: messages(locale), user: user ?? undefined };
    (request as ViewerRequest).webViewer = viewer;
    return viewer;
  }

  async render(
    request: Request,
    response: Response,
    view: ViewName,
    data: PageData,
    status = 200,
  ): Promise<void> {
    const viewer = await this.viewer(request);
    const html = this.eta.render(`@${view}`, {
      ...data,
      errors: data.errors ?? {},
      values: data.values ?? {},
      t: viewer.t,
      locale: viewer.locale,
      user: viewer.user,
      csrf: this.csrf.token(request, response),
      stylesheet: STYLESHEET_PATH,
      languageLinks: languageLinks(
        request.method === 'GET' ? request.originalUrl : (data.languagePath ?? request.path),
      ),
      path: request.path,
      date: formatDate(viewer.locale),
    });
    response.status(status).setHeader('Cache-Control', 'no-store').type('html').send(html);
  }

  /** Post/Redirect/Get: 303 so the browser follows with a GET. */
  redirect(response: Response, location: string): void {
    response.redirect(303, location);
  }
}

/** The current URL with ?lang=sv / ?lang=en, for the language switch. */
function languageLinks(path: string): Record<Locale, string> {
  const url = new URL(path, 'http://page.invalid');
  const link = (locale: Locale) => {
    url.searchParams.set('lang', locale);
    return localPath(url);
  };
  return { sv: link('sv'), en: link('en') };
}
