import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes';
import { SecretBox } from './secret-box';
import { checkTotpNowAndWipe } from './totp';
import { TwoFactorRepository } from './two-factor.repository';

/** Consecutive failed codes (TOTP or recovery) before the factor locks, and for how long. */
export const FAILURE_LIMIT = 10;
export const LOCK_SECONDS = 15 * 60;

/** Why a code is being checked; recorded with failures so the trail tells sign-in from step-up. */
export type CodePurpose = 'sign_in' | 'step_up' | 'recovery_codes' | 'replace_factor';

export interface FactorOwner {
  id: string;
  organizationId: string | null;
}

/** `ok`: accepted (and used up). `wrong`: refused and counted. `not_active`: no active factor. */
export type CodeOutcome = 'ok' | 'wrong' | 'not_active';

/** The context a TOTP secret is sealed under: binds each ciphertext to its user. */
export function secretContext(userId: string): string {
  return `totp:${userId}`;
}

/**
 * Checks codes against a user's active factor: a TOTP code (±1 step, each step once per user) or
 * a recovery code (each once). Every refusal counts towards the lock-out; while locked, nothing
 * is checked at all (429 with Retry-After), so a locked factor is no oracle for guesses.
 */
@Injectable()
export class SecondFactorService {
  private readonly logger = new Logger(SecondFactorService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: TwoFactorRepository,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  async verifyTotp(owner: FactorOwner, code: string, purpose: CodePurpose): Promise<CodeOutcome> {
    const factor = await this.repository.findFactor(owner.id);
    if (factor?.status !== 'active') return 'not_active';
    this.assertNotLocked(factor.lockedUntil);
    const sealed = await this.repository.loadSecret(owner.id, 'active');
    if (sealed === null) return 'not_active';
    const secret = this.openSecret(owner.id, sealed);
    const check = await checkTotpNowAndWipe(secret, code, factor.lastUsedStep);
    // The guarded UPDATE is the real once-per-step guarantee: of two concurrent requests carrying
    // the same code, both pass checkTotp but only one finds last_used_step still below the step.
    if (check.result === 'valid' && (await this.repository.consumeStep(owner.id, check.step))) {
      return 'ok';
    }
    await this.recordFailure(owner, purpose, check.result === 'invalid' ? 'wrong' : 'replayed');
    return 'wrong';
  }

  /** Uses one recovery code (any case, dashes optional). Only for an active, unlocked factor. */
  async useRecoveryCode(owner: FactorOwner, input: string): Promise<CodeOutcome> {
    const factor = await this.repository.findFactor(owner.id);
    if (factor?.status !== 'active') return 'not_active';
    this.assertNotLocked(factor.lockedUntil);
    const normalized = normalizeRecoveryCode(input);
    if (normalized !== undefined) {
      const used = await this.dataSource.transaction(async (tx) => {
        if (!(await this.repository.useRecoveryCode(owner.id, hashRecoveryCode(normalized), tx))) {
          return false;
        }
        const remaining = await this.repository.countUnusedRecoveryCodes(owner.id, tx);
        await this.audit.record(
          {
            actor: { type: 'user', id: owner.id },
            action: 'two_factor.recovery_code_used',
            targetUserId: owner.id,
            organizationId: owner.organizationId,
            data: { remaining },
          },
          tx,
        );
        return true;
      });
      if (used) return 'ok';
    }
    await this.recordFailure(owner, 'sign_in', 'wrong_recovery_code');
    return 'wrong';
  }

  private assertNotLocked(lockedUntil: Date | null): void {
    const remainingMs = lockedUntil === null ? 0 : lockedUntil.getTime() - Date.now();
    if (remainingMs > 0) throw lockedError(remainingMs / 1000);
  }

  private openSecret(userId: string, sealed: Parameters<SecretBox['open']>[0]): Buffer {
    try {
      return this.box.open(sealed, secretContext(userId));
    } catch (error) {
      // the key id and the user, never the secret: enough to find a missing or rotated key
      this.logger.error(
        { userId, keyId: sealed.keyId, currentKeyId: this.box.currentKeyId },
        `cannot open a TOTP secret: ${(error as Error).message}`,
      );
      throw error;
    }
  }

  /** Counts the failure and audits it in one transaction; the 10th in a row locks (429). */
  private async recordFailure(
    owner: FactorOwner,
    purpose: CodePurpose,
    reason: 'wrong' | 'replayed' | 'wrong_recovery_code',
  ): Promise<void> {
    const lock = await this.dataSource.transaction(async (tx) => {
      const result = await this.repository.recordFailure(owner.id, FAILURE_LIMIT, LOCK_SECONDS, tx);
      const subject = { targetUserId: owner.id, organizationId: owner.organizationId };
      await this.audit.record(
        {
          actor: { type: 'user', id: owner.id },
          action: 'two_factor.code_failed',
          ...subject,
          data: { purpose, reason },
        },
        tx,
      );
      if (result.lockedNow && result.lockedUntil !== null) {
        await this.audit.record(
          {
            actor: { type: 'system' },
            action: 'two_factor.locked',
            ...subject,
            data: { failures: FAILURE_LIMIT, lockedUntil: result.lockedUntil.toISOString() },
          },
          tx,
        );
      }
      return result.lockedUntil;
    });
    if (lock !== null) throw lockedError((lock.getTime() - Date.now()) / 1000);
  }
}

function lockedError(retryAfterSeconds: number): DomainError {
  return new DomainError(
    'two_factor_locked',
    'Too many wrong codes: two-factor sign-in is locked for a while; try again later',
    Math.max(1, retryAfterSeconds),
  );
}
