import type { Request } from 'express';

/** Who is signing in from where, as recorded on the session and in the audit trail. */
export interface ClientInfo {
  ip: string;
  userAgent?: string;
}

/**
 * The client of a request, for the JSON API and the pages alike. `request.ip` already honours
 * TRUST_PROXY (see src/app.ts), so behind a named proxy it is the client's address.
 */
export function clientInfo(request: Request): ClientInfo {
  return { ip: request.ip ?? 'unknown', userAgent: request.headers['user-agent'] };
}
