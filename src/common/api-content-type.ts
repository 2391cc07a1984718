import type { NextFunction, Request, Response } from 'express';
import { DomainError } from './domain-error';

/** What the API's body parsers read; the inbound webhook reads message/rfc822 on its own. */
const PARSED_TYPES = ['application/json', 'application/x-www-form-urlencoded'];
const OWN_BODY_PATHS = ['/api/inbound/messages'];

const routePath = (request: Request) =>
  `${request.baseUrl}${request.path}`.replace(/\/+$/, '').toLowerCase();

/**
 * A body of another type would reach validation as "no body" and be refused field by field;
 * refuse it as what it is instead: 415 naming the types that are read.
 */
export function requireParsedContentType(
  request: Request,
  _response: Response,
  next: NextFunction,
) {
  const ownBody = OWN_BODY_PATHS.includes(routePath(request));
  // is() answers null when there is no body at all, false for a body of another type
  if (ownBody || request.is(PARSED_TYPES) !== false) return next();
  next(
    new DomainError('unsupported_media_type', `Content-Type must be ${PARSED_TYPES.join(' or ')}`),
  );
}
