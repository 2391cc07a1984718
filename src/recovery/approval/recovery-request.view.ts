import type { RecoveryApproval } from './recovery-approval.entity';
import type { RecoveryRequest, RiskSignals, RiskSignalsView } from './recovery-request.entity';

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

/**
 * `reportsLast30Days`: the holder's "this wasn't me" reports, counted as the request is shown
 * (null when the request is linked to no user).
 */
export function requestDetail(
  request: RecoveryRequest,
  approvals: RecoveryApproval[],
  reportsLast30Days: number | null,
) {
  const risk: RiskSignals | RiskSignalsView | null =
    reportsLast30Days === null ? request.risk : { ...request.risk, reportsLast30Days };
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
    risk,
    bodyExcerpt: request.bodyExcerpt,
    expiresAt: request.expiresAt?.toISOString() ?? null,
    executesAt: request.executesAt?.toISOString() ?? null,
    completedAt: request.completedAt?.toISOString() ?? null,
    denyReason: request.denyReason,
  };
}

/**
 * What an organization's owner and admins see of a member's request: who, where it stands and
 * when — never the checks, the evidence, the subject or the excerpt.
 */
export function organizationRequestSummary(
  request: RecoveryRequest,
  user: { id: string; name: string; email: string } | null,
) {
  return {
    id: request.id,
    user,
    status: request.status,
    receivedAt: request.receivedAt.toISOString(),
    decidedAt: request.decidedAt?.toISOString() ?? null,
    executesAt: request.executesAt?.toISOString() ?? null,
  };
}
