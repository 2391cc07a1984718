import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import type { ChallengePurpose, SignInChallenge } from './sign-in-challenge.entity';
import { SignInChallengeRepository } from './sign-in-challenge.repository';

/** Long enough to open an authenticator app, short enough that a leaked ticket soon dies. */
export const CHALLENGE_TTL_SECONDS = 5 * 60;

function hashChallenge(token: string): Buffer {
  return createHash('sha256').update(`sign-in-challenge:${token}`).digest();
}

/**
 * The ticket between the password step and the second step. 256 random bits to the client, only
 * a hash in the database; bound to one user and one purpose; used up when the sign-in completes.
 */
@Injectable()
export class SignInChallengeService {
  constructor(private readonly repository: SignInChallengeRepository) {}

  async issue(userId: string, purpose: ChallengePurpose, ip?: string): Promise<string> {
    const token = `rdc_${randomBytes(32).toString('base64url')}`;
    await this.repository.insertChallenge({
      userId,
      purpose,
      tokenHash: hashChallenge(token),
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_SECONDS * 1000),
      ip: ip ?? null,
    });
    return token;
  }

  /** The live challenge for this token and purpose, or 401: unknown, used, expired, other purpose. */
  async require(token: string, purpose: ChallengePurpose): Promise<SignInChallenge> {
    const challenge =
      token.length > 200
        ? null
        : await this.repository.findLiveChallenge(hashChallenge(token), purpose);
    if (challenge === null) throw invalidChallenge();
    return challenge;
  }

  /** Uses the challenge up inside the caller's transaction; 401 when another request beat us. */
  async consume(challenge: SignInChallenge, manager: EntityManager): Promise<void> {
    if (!(await this.repository.consumeChallenge(challenge.id, manager))) throw invalidChallenge();
  }

  /** Ends every open challenge of a user, in the caller's transaction (their factor was reset). */
  revokeAll(userId: string, manager: EntityManager): Promise<void> {
    return this.repository.revokeChallenges(userId, manager);
  }
}

function invalidChallenge(): DomainError {
  return new DomainError(
    'invalid_challenge',
    'This sign-in has expired or was already completed; sign in again',
  );
}
