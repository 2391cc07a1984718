import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../common/domain-error';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { statusForCode } from '../common/domain-error.filter';
import { loggedPath } from '../common/logging';
import { applyRefusal, WebFormInvalid, WebFormRefused } from './form-errors';
import type { Messages } from './i18n/locale';
import { WebCookies } from './web-cookies';
import { WebCsrfRejected, WebForbidden, WebNotFound, WebRedirect } from './web-errors';
import { WebPages } from './web-pages.service';

/**
 * The web pages' exception filter (bound to their controllers, so it wins over the API's JSON
 * filter): redirects stay redirects, and every failure becomes an HTML page in the user's
 * language with the right status. Unknown errors are logged and shown without details.
 */
@Catch()
@Injectable()
export class WebExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Web');

  constructor(
    private readonly pages: WebPages,
    private readonly cookies: WebCookies,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.handle(exception, http.getRequest<Request>(), http.getResponse<Response>());
  }

  private handle(exception: unknown, request: Request, response: Response): void {
    if (response.headersSent) return;
    if (exception instanceof WebRedirect) {
      this.pages.redirect(response, exception.location);
      return;
    }
    if (exception instanceof DomainError && exception.code === 'not_authenticated') {
      this.pages.redirect(response, '/login');
      return;
    }
    if (exception instanceof WebFormInvalid) {
      exception.form
        .show({ errors: exception.errors }, HttpStatus.BAD_REQUEST)
        .catch((error: unknown) => this.handle(error, request, response));
      return;
    }
    const shown =
      exception instanceof WebFormRefused
        ? this.renderRefusal(request, response, exception).catch((error: unknown) => {
            this.handle(error, request, response);
          })
        : this.renderError(request, response, exception);
    shown.catch((error: unknown) => {
      // the page itself needs the database (the viewer's session): plain text then
      if (isDatabaseUnavailable(error)) {
        if (!response.headersSent) {
          response.status(503).type('text').send('Temporarily unavailable; try again later');
        }
        return;
      }
      this.logger.error({ err: error }, 'Could not render the error page');
      if (!response.headersSent) response.status(500).type('text').send('Internal server error');
    });
  }

  /** A form's refusal on the form's own page, as its table says; else as the bare domain error. */
  private async renderRefusal(request: Request, response: Response, refused: WebFormRefused) {
    const { t } = await this.pages.viewer(request);
    const outcome = await applyRefusal(refused, t, response);
    if (outcome === undefined) return this.handle(refused.error, request, response);
    if (outcome.kind === 'redirect') {
      if (outcome.clearChallenge) this.cookies.clearChallenge(response);
      this.pages.redirect(response, outcome.location);
    }
  }

  private async renderError(request: Request, response: Response, exception: unknown) {
    const { t } = await this.pages.viewer(request);
    const { status, title, message } = this.describe(exception, t, request);
    await this.pages.render(request, response, 'error', { title, message, status }, status);
  }

  private describe(
    exception: unknown,
    t: Messages,
    request: Request,
  ): { status: number; title: string; message: string } {
    const status = statusOf(exception);
    if (exception instanceof WebCsrfRejected) {
      return { status: 403, title: t.errors.csrfTitle, message: t.errors.csrf };
    }
    if (status === 403) {
      return { status, title: t.errors.forbiddenTitle, message: t.errors.forbidden };
    }
    if (status === 404) {
      return { status, title: t.errors.notFoundTitle, message: t.errors.notFound };
    }
    if (status === 409) {
      return { status, title: t.errors.serverTitle, message: t.errors.conflict };
    }
    if (status === 503) {
      return { status, title: t.errors.serverTitle, message: t.errors.server };
    }
    if (status >= 500) {
      this.logger.error(
        { err: exception, method: request.method, path: loggedPath(request.originalUrl) },
        'Unhandled error on a web page',
      );
      return { status: 500, title: t.errors.serverTitle, message: t.errors.server };
    }
    return { status, title: t.errors.serverTitle, message: t.errors.conflict };
  }
}

function statusOf(exception: unknown): number {
  if (exception instanceof WebForbidden || exception instanceof WebCsrfRejected) return 403;
  if (exception instanceof WebNotFound) return 404;
  if (exception instanceof DomainError) return statusForCode(exception.code);
  if (exception instanceof HttpException) return exception.getStatus();
  if (isDatabaseUnavailable(exception)) return HttpStatus.SERVICE_UNAVAILABLE;
  return HttpStatus.INTERNAL_SERVER_ERROR;
}
