import type { RecoveryApproval } from './recovery-approval.entity';
import type { RecoveryRequest } from './recovery-request.entity';

/** What an agent sees of a request: checks and risk, never billing values. */
export function requestSummary(request: RecoveryRequest) {
  return {
    id: request.id,
    status: request.status,
    reason: request.reason,
    sender: request.sender,
    userId: request.userId,
    organizationId: request.organizationId,
    receivedAt: request.receivedAt.toISOString(),
    decidedAt: request.decidedAt?.toISOString() ?? null,
    subject: request.subject,
  };
}

export function requestDetail(request: RecoveryRequest, approvals: RecoveryApproval[]) {
  return {
    ...requestSummary(request),
    decidedBy: request.decidedBy,
    checks: request.checks,
    approvals: approvals.map((approval) => ({
      agentId: approval.agentId,
      approvedAt: approval.approvedAt.toISOString(),
      note: approval.note,
    })),
    approvalsRequired: request.approvalsRequired,
    risk: request.risk,
    bodyExcerpt: request.bodyExcerpt,
    expiresAt: request.expiresAt?.toISOString() ?? null,
    executesAt: request.executesAt?.toISOString() ?? null,
    completedAt: request.completedAt?.toISOString() ?? null,
    denyReason: request.denyReason,
  };
}
