import type { NextFunction, Request, Response } from 'express';
import { methodLabel, routeLabel, statusCodeLabel } from './metric-labels';
import type { MetricsService } from './metrics.service';

/**
 * Times every HTTP request from its first byte being handled to the last byte of the answer, and
 * labels it with the route template the router matched (never the path the client sent: that may
 * carry a cancel token). Registered before any other middleware, so refusals by the body parsers
 * are timed too (under route="unmatched": they happen before routing).
 */
export function httpMetricsMiddleware(metrics: MetricsService) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpAnswered(
        {
          method: methodLabel(request.method),
          route: routeLabel(request),
          status_code: statusCodeLabel(response.statusCode),
        },
        seconds,
      );
    });
    next();
  };
}
