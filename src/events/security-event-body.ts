/**
 * The security events other systems receive, and the one shape of their body. Pure: the body is
 * built from identifiers only, so no secret, code, token or billing value can reach it.
 */
export const SECURITY_EVENT_TYPES = [
  'two_factor.enabled',
  'two_factor.reset',
  /** a recovery request was accepted and awaits an agent's approval */
  'recovery.requested',
  'recovery.approved',
  'recovery.completed',
  'recovery.denied',
  'recovery.cancelled',
  'recovery.expired',
  'security.reported',
] as const;

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export type SecurityEventActorType = 'user' | 'system' | 'mailbox' | 'provisioning';

/** What a change point says about its event; the service adds the id and the time. */
export interface NewSecurityEvent {
  type: SecurityEventType;
  /** null for a support agent, who belongs to no organization */
  organizationId: string | null;
  /** the account the event is about */
  userId: string;
  requestId?: string | null;
  actor: { type: SecurityEventActorType; id?: string | null };
}

export interface SecurityEventBody {
  type: SecurityEventType;
  timestamp: string;
  data: {
    eventId: string;
    organizationId: string | null;
    userId: string;
    requestId?: string;
    actor: { type: SecurityEventActorType; id?: string };
  };
}

/** The body exactly as it is signed and sent: only the listed keys, ids as given. */
export function securityEventBody(
  eventId: string,
  occurredAt: Date,
  event: NewSecurityEvent,
): string {
  const actor: SecurityEventBody['data']['actor'] = { type: event.actor.type };
  if (event.actor.id !== undefined && event.actor.id !== null) actor.id = event.actor.id;
  const body: SecurityEventBody = {
    type: event.type,
    timestamp: occurredAt.toISOString(),
    data: {
      eventId,
      organizationId: event.organizationId,
      userId: event.userId,
      ...(event.requestId !== undefined && event.requestId !== null
        ? { requestId: event.requestId }
        : {}),
      actor,
    },
  };
  return JSON.stringify(body);
}

/** The event a recovery request's audit action stands for, if any (approval steps have none). */
export function recoveryEventType(action: string): SecurityEventType | undefined {
  switch (action) {
    case 'recovery.awaiting_approval':
      return 'recovery.requested';
    case 'recovery.approved':
    case 'recovery.completed':
    case 'recovery.denied':
    case 'recovery.cancelled':
    case 'recovery.expired':
      return action;
    default:
      return undefined;
  }
}
