import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken, tokenMatches } from '../common/bearer-token';
import { DomainError } from '../common/domain-error';
import { AppConfigService } from '../config/app-config.service';

/**
 * Whether a scrape may read the metrics: always when METRICS_TOKEN is unset (the operator keeps
 * HTTP_HOST private instead), otherwise only with `Authorization: Bearer <METRICS_TOKEN>`,
 * compared in constant time.
 */
export function metricsAuthorized(
  request: { headers: IncomingHttpHeaders },
  expected: string | undefined,
): boolean {
  return expected === undefined || tokenMatches(bearerToken(request), expected);
}

/** GET /metrics on the HTTP listener: 401 not_authenticated without the right token. */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!metricsAuthorized(request, this.config.get('metricsToken'))) {
      throw new DomainError('not_authenticated', 'A valid metrics token is required');
    }
    return true;
  }
}
