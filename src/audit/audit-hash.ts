import { createHash } from 'node:crypto';

/** The hash of the first event's predecessor: the chain's fixed anchor. */
export const GENESIS_HASH = '0'.repeat(64);

export interface HashedFields {
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  targetUserId: string | null;
  organizationId: string | null;
  subjectId: string | null;
  data: unknown;
}

/** JSON with object keys sorted at every depth, so jsonb's key reordering cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** hash(n) = SHA-256(hash(n-1) ‖ canonical fields of n): editing, removing or reordering breaks it. */
export function auditHash(prevHash: string, event: HashedFields): string {
  const payload = canonicalJson([
    prevHash,
    event.occurredAt.toISOString(),
    event.actorType,
    event.actorId,
    event.action,
    event.targetUserId,
    event.organizationId,
    event.subjectId,
    event.data ?? {},
  ]);
  return createHash('sha256').update(payload).digest('hex');
}
