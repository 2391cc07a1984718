import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { bearerToken, tokenMatches } from '../common/bearer-token';
import { DomainError } from '../common/domain-error';
import { AppConfigService } from '../config/app-config.service';

/**
 * The provisioning API is for the main product's back office only: it needs
 * `Authorization: Bearer $PROVISIONING_TOKEN`, compared in constant time so response timing does
 * not leak the token byte by byte. Without PROVISIONING_TOKEN the API does not exist (404), so an
 * unconfigured deployment offers no door at all.
 */
@Injectable()
export class ProvisioningTokenGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.get('provisioningToken');
    if (expected === undefined) throw new DomainError('provisioning_disabled', 'Not Found');
    const presented = bearerToken(context.switchToHttp().getRequest<Request>());
    if (!tokenMatches(presented, expected)) {
      throw new DomainError('not_authenticated', 'A valid provisioning token is required');
    }
    return true;
  }
}
