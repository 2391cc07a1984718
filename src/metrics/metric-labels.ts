/**
 * Label values of every metric, bounded: a label value is never taken from what a client wrote
 * (a raw path could hold a cancel token or an e-mail address), only from a fixed list or from the
 * router's own route templates. Pure functions, unit-tested beside this file.
 */

/** The route label of a request that matched no route (404s, refusals before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function methodLabel(method: string | undefined): string {
  const upper = (method ?? '').toUpperCase();
  return HTTP_METHODS.has(upper) ? upper : 'other';
}

/**
 * A route that matches every path: Nest mounts middleware applied to all routes (the request
 * logger) as one, so a request that no controller route matched still has it as `request.route`.
 */
const CATCH_ALL = /^\/?(\*|\{\*[A-Za-z0-9_]*\}|\(\.\*\))$/;

/**
 * The template of the route that served a request (`/api/recovery/requests/:id`), from what the
 * router matched: Express sets `request.route` only when a registered route matched, and its
 * `path` is the pattern as registered, never the path the client sent.
 */
export function routeLabel(request: { baseUrl?: string; route?: unknown }): string {
  const route = request.route as { path?: unknown } | undefined;
  if (route === undefined || typeof route.path !== 'string') return UNMATCHED_ROUTE;
  if (CATCH_ALL.test(route.path)) return UNMATCHED_ROUTE;
  const template = `${request.baseUrl ?? ''}${route.path}`;
  return template === '' ? '/' : template;
}

/** 100–599 as sent; anything else (never expected) is one value. */
export function statusCodeLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}

/**
 * A state, status or reason read from the database: these are written by the code from its own
 * constants (snake_case words), so they pass; anything else is folded into one value rather than
 * exposed.
 */
export function codeLabel(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return 'none';
  return /^[a-z][a-z0-9_]{0,47}$/.test(value) ? value : 'other';
}
