import { applyDecorators, HttpStatus, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import {
  ACCOUNT_FAILURE_LIMIT,
  IP_FAILURE_LIMIT,
  WINDOW_SECONDS,
} from '../sign-in/login-rate-limiter';
import { FAILURE_LIMIT, LOCK_SECONDS } from '../enrollment/second-factor.service';

/** The error body every failure has (built by domain-error.filter.ts), for the OpenAPI document. */
export class ErrorBodyView {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({
    description: 'what went wrong; a validation failure lists one message per failing field',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['email must be a string', 'password must be longer than or equal to 10 characters'],
  })
  message: string | string[];

  @ApiPropertyOptional({ description: 'machine-readable reason', example: 'invalid_input' })
  code?: string;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429;

const DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'invalid input (code invalid_input): malformed JSON, a failed validation or a broken limit',
  401: 'not signed in or a wrong token or code (not_authenticated, invalid_credentials, …)',
  403: 'signed in, but the role may not do this (forbidden, step_up_failed)',
  404: 'no such resource, or not one of yours (not_found)',
  409: 'the resource is not in a state that allows this',
  413: 'the body is larger than the limit (payload_too_large)',
  415: 'the body is not of a content type this operation reads (unsupported_media_type)',
  429: 'too many attempts; Retry-After says when to try again (rate_limited, two_factor_locked)',
};

/** The status Nest answers a handler's success with (what @HttpCode or the verb gives). */
function successStatus(handler: object): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
  const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
  if (verb === undefined) throw new Error('@ApiErrors() goes above the route decorator');
  return code ?? (verb === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK);
}

/**
 * Documents the 4xx answers an operation (or every operation of a controller) really gives. On a
 * method it keeps the success answer too, which the document would otherwise drop.
 */
export function ApiErrors(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  const errors = applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorBodyView }),
    ),
  );
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor === undefined) return errors(target as () => void);
    const success = ApiResponse(
      { status: successStatus(descriptor.value as object) },
      { overrideExisting: false },
    );
    success(target, key as string, descriptor);
    return errors(target, key as string, descriptor);
  };
}

/** The answers of every operation that reads a JSON body: invalid, too large, not JSON. */
export const JSON_BODY_ERRORS: ErrorStatus[] = [400, 413, 415];

/** The sign-in throttle, as the login operation describes it. */
export const SIGN_IN_LIMIT_NOTE =
  `Failed sign-ins are limited to ${ACCOUNT_FAILURE_LIMIT} per account within ` +
  `${WINDOW_SECONDS / 60} minutes; beyond that 429 rate_limited with Retry-After for ` +
  `${WINDOW_SECONDS / 60} minutes. After ${IP_FAILURE_LIMIT} per client IP within ` +
  `${WINDOW_SECONDS / 60} minutes, that IP's checks for accounts not signed in from it before ` +
  `are slowed down (never refused for a right password); too many checks in progress from one ` +
  `IP answer 429 sign_in_busy with Retry-After.`;

/** The lock-out of a second factor, as every operation that checks a code describes it. */
export const WRONG_CODE_LIMIT_NOTE =
  `After ${FAILURE_LIMIT} consecutive wrong codes (TOTP or recovery code) the factor locks for ` +
  `${LOCK_SECONDS / 60} minutes: 429 two_factor_locked with Retry-After.`;
