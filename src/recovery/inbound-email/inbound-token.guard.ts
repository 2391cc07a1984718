import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, tokenMatches } from '../../common/bearer-token';
import { DomainError } from '../../common/domain-error';
import { AppConfigService } from '../../config/app-config.service';

/**
 * The inbound webhook is for one caller, the MTA or mail provider holding INBOUND_TOKEN: off
 * (404) when no token is configured, 401 for a missing or wrong one, compared in constant time.
 */
@Injectable()
export class InboundTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.get('inboundToken');
    if (expected === undefined) throw new DomainError('webhook_disabled', 'Not Found');
    const request = context.switchToHttp().getRequest<Request>();
    if (!tokenMatches(bearerToken(request), expected)) {
      throw new DomainError('not_authenticated', 'A valid inbound token is required');
    }
    return true;
  }
}
