import type { NextFunction, Request, Response } from 'express';
import { DomainError } from './domain-error';

/** What the API's body parsers read; the inbound webhook reads message/rfc822 on its own. */
const PARSED_TYPES = ['application/json', 'application/x-www-form-urlencoded'];
const OWN_BODY_PATHS = ['/api/inbound/messages'];

const routePath = (request: Request) =>
  `${request.baseUrl}${request.path}`.replace(/\/+$/, '').toLowerCase();

/** No body at all, or an empty one (a POST that sends nothing still says Content-Length: 0). */
function emptyBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return length === undefined
    ? request.headers['transfer-encoding'] === undefined
    : Number(length) === 0;
}

/**
 * A body of another type would reach validation as "no body" and be refused field by field;
 * refuse it as what it is instead: 415 naming the types that are read.
 */
export function requireParsedContentType(
  request: Request,
  _response: Response,
  next: NextFunction,
) {
  if (OWN_BODY_PATHS.includes(routePath(request)) || emptyBody(request)) return next();
  if (request.is(PARSED_TYPES) !== false) return next();
  next(
    new DomainError('unsupported_media_type', `Content-Type must be ${PARSED_TYPES.join(' or ')}`),
  );
}
