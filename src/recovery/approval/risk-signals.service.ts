import { Injectable } from '@nestjs/common';
import type { User } from '../../accounts/user.entity';
import type { RiskSignals } from './recovery-request.entity';
import type { IntakeFacts } from './recovery-request.repository';

const DAY_MS = 24 * 3600_000;

/** Requests counted in `requestsLast30Days`: those received in this window before the message. */
export const RISK_WINDOW_MS = 30 * DAY_MS;

/**
 * What an agent weighs beside the checks (the `risk` of GET /api/recovery/requests/:id), from
 * the facts the intake reads in one statement (RecoveryRequestRepository.intakeFacts).
 */
@Injectable()
export class RiskSignalsService {
  forUser(user: User, at: Date, facts: Pick<IntakeFacts, 'admins' | 'recent'>): RiskSignals {
    return {
      targetRole: user.role,
      // a local admin with 2FA could reset this user in-app: the article says ask them first
      localAdminsWith2fa: facts.admins.filter((admin) => admin.factorStatus === 'active').length,
      requestsLast30Days: facts.recent,
      accountAgeDays: Math.max(0, Math.floor((at.getTime() - user.createdAt.getTime()) / DAY_MS)),
    };
  }
}
