import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, DomainErrorCode } from './domain-error';

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
      return HttpStatus.FORBIDDEN;
    case 'not_found':
    case 'provisioning_disabled':
    case 'webhook_disabled':
      return HttpStatus.NOT_FOUND;
    case 'email_taken':
    case 'owner_exists':
    case 'two_factor_already_active':
    case 'two_factor_not_enrolled':
    case 'no_pending_enrollment':
    case 'request_not_open':
    case 'already_approved':
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

/**
 * The single exception filter: domain errors become their mapped status, Nest HTTP exceptions
 * (validation, body parser, not found routes) keep theirs, anything else is logged and becomes a
 * 500 without details. Every response has the CONTRACT shape { statusCode, error, message }.
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
      return { statusCode: status, error: reasonPhrase(status), message };
    }
    // body-parser errors carry a status (400 malformed JSON, 413 too large, 415 charset)
    const parserStatus = (exception as { status?: unknown; type?: unknown }).status;
    if (typeof parserStatus === 'number' && parserStatus >= 400 && parserStatus < 500) {
      const type = (exception as { type?: unknown }).type;
      const message =
        type === 'entity.parse.failed'
          ? 'Malformed JSON body'
          : type === 'entity.too.large'
            ? 'Request body too large'
            : reasonPhrase(parserStatus);
      return { statusCode: parserStatus, error: reasonPhrase(parserStatus), message };
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
