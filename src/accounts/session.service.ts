import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuthenticatedUser } from '../common/auth.decorators';
import { AccountsRepository } from './accounts.repository';

/** Opaque bearer sessions: 256 random bits to the client, only their SHA-256 in the database. */
export const SESSION_TTL_HOURS = 12;

/**
 * How long a code proved in a session keeps counting for the actions that need a fresh second
 * factor (agents' approvals and denials): long enough to work a queue, short enough that a
 * session left open or stolen does not approve resets on its own.
 */
export const STEP_UP_MINUTES = 15;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

@Injectable()
export class SessionService {
  constructor(private readonly repository: AccountsRepository) {}

  async create(
    userId: string,
    client: { ip?: string; userAgent?: string } = {},
    manager?: EntityManager,
    /** the sign-in proved the second factor: the session starts stepped up */
    steppedUp = false,
  ): Promise<{ accessToken: string; sessionId: string; expiresAt: Date }> {
    const accessToken = `rds_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + SESSION_TTL_HOURS * 3600_000);
    const session = await this.repository.insertSession(
      {
        userId,
        tokenHash: hashToken(accessToken),
        expiresAt,
        ip: client.ip ?? null,
        userAgent: client.userAgent?.slice(0, 300) ?? null,
        stepUpAt: steppedUp ? new Date() : null,
      },
      manager,
    );
    return { accessToken, sessionId: session.id, expiresAt };
  }

  async resolve(token: string): Promise<AuthenticatedUser | undefined> {
    if (token.length > 200) return undefined;
    const found = await this.repository.findLiveSession(hashToken(token));
    if (found === null) return undefined;
    return {
      id: found.userId,
      role: found.role,
      organizationId: found.organizationId,
      sessionId: found.sessionId,
    };
  }

  /** The session has just proved the second factor (a step-up code, an enrollment confirmed). */
  markSteppedUp(sessionId: string, manager?: EntityManager): Promise<void> {
    return this.repository.markSessionSteppedUp(sessionId, new Date(), manager);
  }

  /** Whether the session proved the second factor within the last STEP_UP_MINUTES. */
  async hasFreshStepUp(sessionId: string): Promise<boolean> {
    const at = await this.repository.findSessionStepUp(sessionId);
    return at !== null && Date.now() - at.getTime() <= STEP_UP_MINUTES * 60_000;
  }

  revoke(sessionId: string): Promise<void> {
    return this.repository.revokeSession(sessionId);
  }

  revokeAll(userId: string, manager?: EntityManager): Promise<number> {
    return this.repository.revokeAllSessions(userId, manager);
  }
}
