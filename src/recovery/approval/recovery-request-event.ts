import type { AuditEntry } from '../../audit/audit.service';
import type { RecoveryRequest } from './recovery-request.entity';

/** The audit event of one step of a request's life: who, what, about which user and request. */
export function recoveryRequestEvent(
  request: Pick<RecoveryRequest, 'id' | 'userId' | 'organizationId'>,
  actor: AuditEntry['actor'],
  action: `recovery.${string}`,
  data?: Record<string, unknown>,
): AuditEntry {
  return {
    actor,
    action,
    targetUserId: request.userId,
    organizationId: request.organizationId,
    subjectId: request.id,
    data,
  };
}
