import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { DomainError, DomainErrorCode } from './domain-error';
import { FORM_FIELD_LIMIT } from './field-limits';

export function statusForCode(code: DomainErrorCode): HttpStatus {
  switch (code) {
    case 'invalid_input':
    case 'json_too_deep':
    case 'recipient_not_accepted':
    case 'invalid_enrollment_code':
      return HttpStatus.BAD_REQUEST;
    case 'invalid_credentials':
    case 'not_authenticated':
    case 'invalid_challenge':
    case 'invalid_code':
      return HttpStatus.UNAUTHORIZED;
    // step_up_*: signed in, but the fresh proof of the second factor is missing or wrong
    case 'forbidden':
    case 'step_up_failed':
    case 'step_up_unavailable':
    case 'step_up_required':
    case 'two_factor_required':
      return HttpStatus.FORBIDDEN;
    case 'not_found':
    case 'provisioning_disabled':
    case 'webhook_disabled':
    case 'report_link_invalid':
      return HttpStatus.NOT_FOUND;
    case 'report_link_expired':
      return HttpStatus.GONE;
    case 'email_taken':
    case 'owner_exists':
    case 'two_factor_already_active':
    case 'two_factor_not_enrolled':
    case 'no_pending_enrollment':
    case 'request_not_open':
    case 'already_approved':
    case 'report_link_used':
      return HttpStatus.CONFLICT;
    case 'rate_limited':
    case 'sign_in_busy':
    case 'two_factor_locked':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'payload_too_large':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case 'unsupported_media_type':
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case 'storage_unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}

/**
 * The code of an error that did not come from a service (validation, body parser, unknown route,
 * a pipe's 400): the domain code that means the same for the client, so every 4xx carries one.
 */
const CODE_FOR_STATUS: Partial<Record<number, DomainErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'invalid_input',
  [HttpStatus.UNAUTHORIZED]: 'not_authenticated',
  [HttpStatus.FORBIDDEN]: 'forbidden',
  [HttpStatus.NOT_FOUND]: 'not_found',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'payload_too_large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'unsupported_media_type',
  [HttpStatus.TOO_MANY_REQUESTS]: 'rate_limited',
};

/** body-parser's messages, which name the limit or the problem rather than the parser's words */
function parserMessage(type: unknown, status: number, limit: unknown): string {
  switch (type) {
    case 'entity.parse.failed':
      return 'Malformed JSON body';
    case 'entity.too.large':
      return typeof limit === 'number'
        ? `Request body too large: the limit is ${limit} bytes`
        : 'Request body too large';
    case 'charset.unsupported':
      return 'Unsupported charset: send UTF-8';
    case 'encoding.unsupported':
      return 'Unsupported Content-Encoding';
    case 'parameters.too.many':
      return `Too many form fields (at most ${FORM_FIELD_LIMIT})`;
    default:
      return reasonPhrase(status);
  }
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  code?: string;
  [detail: string]: unknown;
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  if (name === undefined) return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function withCode(body: ErrorBody): ErrorBody {
  const code = CODE_FOR_STATUS[body.statusCode];
  return code === undefined ? body : { ...body, code };
}

/**
 * The single exception filter: domain errors become their mapped status, Nest HTTP exceptions
 * (validation, body parser, not found routes) keep theirs, an unreachable database becomes 503
 * (`storage_unavailable`), anything else is logged and becomes a 500 without details. Every
 * response has the shape { statusCode, error, message } and every 4xx a machine `code`.
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<Response>();
    const request = context.getRequest<Request>();
    const body = this.toBody(exception, request);
    if (exception instanceof DomainError && exception.retryAfterSeconds !== undefined) {
      response.setHeader(
        'Retry-After',
        String(Math.max(1, Math.ceil(exception.retryAfterSeconds))),
      );
    }
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }

  toBody(exception: unknown, request: Request): ErrorBody {
    if (exception instanceof DomainError) {
      const status = statusForCode(exception.code);
      return {
        statusCode: status,
        error: reasonPhrase(status),
        message: exception.message,
        code: exception.code,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      if (typeof payload === 'object' && payload !== null && !('message' in payload)) {
        // a structured body (the health check's per-dependency `info` and `details`): keep it,
        // except a field that would clash with the contract's own `error` string
        const details = { ...(payload as Record<string, unknown>) };
        delete details.error;
        return {
          ...details,
          statusCode: status,
          error: reasonPhrase(status),
          message: exception.message,
        };
      }
      const message =
        typeof payload === 'object' && payload !== null
          ? (payload as { message: string | string[] }).message
          : exception.message;
      return withCode({ statusCode: status, error: reasonPhrase(status), message });
    }
    // body-parser errors carry a status (400 malformed JSON, 413 too large, 415 charset)
    const parser = exception as { status?: unknown; type?: unknown; limit?: unknown };
    if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500) {
      const status = parser.status;
      const message = parserMessage(parser.type, status, parser.limit);
      return withCode({ statusCode: status, error: reasonPhrase(status), message });
    }
    if (isDatabaseUnavailable(exception)) {
      // PostgreSQL is unreachable or restarting: nothing was done, and the client may try again
      this.logger.warn(
        { method: request.method, path: request.path, err: errorMessage(exception) },
        'database unavailable',
      );
      return this.toBody(
        new DomainError('storage_unavailable', 'Temporarily unavailable; try again later'),
        request,
      );
    }
    this.logger.error(
      { err: exception, method: request.method, path: request.path },
      'Unhandled error',
    );
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'Internal Server Error',
      message: 'Internal server error',
    };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
