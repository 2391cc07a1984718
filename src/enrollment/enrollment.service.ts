import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { User } from '../accounts/user.entity';
import { AuditService } from '../audit/audit.service';
import { SecurityEventService } from '../events/security-event.service';
import type { AuditEntry } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes';
import { SecondFactorService, secretContext } from './second-factor.service';
import { SecretBox } from './secret-box';
import { checkTotpNowAndWipe, generateTotpSecret, otpauthUri, qrCodeDataUrl } from './totp';
import { TwoFactorNotifier } from './two-factor-notifier';
import { TwoFactorRepository } from './two-factor.repository';

/** The issuer authenticator apps show above the account name. */
export const TOTP_ISSUER = 'Recovery Desk';

export interface EnrollmentView {
  otpauthUri: string;
  /** base32, for typing in by hand: shown this once, never again after confirmation */
  secret: string;
  qrCode: string;
}

/** Where the enrollment happens: the user's settings, or forced at sign-in. */
export type EnrollmentChannel = 'settings' | 'sign_in';

/**
 * Enrolling a TOTP factor: a fresh secret (sealed at rest), shown once as URI, text and QR code;
 * confirmed by a code, which activates it and issues 10 recovery codes. Starting again replaces an
 * enrollment in progress. An active factor is only replaced after a current code proves the
 * holder still has it, and it keeps working until the new one is confirmed.
 */
@Injectable()
export class EnrollmentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: TwoFactorRepository,
    private readonly secondFactor: SecondFactorService,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly notifier: TwoFactorNotifier,
    private readonly events: SecurityEventService,
  ) {}

  async start(
    user: User,
    channel: EnrollmentChannel,
    currentCode?: string,
  ): Promise<EnrollmentView> {
    const factor = await this.repository.findFactor(user.id);
    const replacing = factor?.status === 'active';
    if (replacing) {
      if (currentCode === undefined || channel === 'sign_in') {
        throw new DomainError(
          'two_factor_already_active',
          'Two-factor authentication is already on; send a current code to move it to a new authenticator',
        );
      }
      const outcome = await this.secondFactor.verifyTotp(user, currentCode, 'replace_factor');
      if (outcome !== 'ok') throw stepUpFailed();
    }
    const secret = generateTotpSecret();
    const sealed = this.box.seal(secret.bytes, secretContext(user.id));
    secret.bytes.fill(0);
    await this.dataSource.transaction(async (tx) => {
      await this.repository.savePending(user.id, sealed, tx);
      await this.audit.record(
        ownFactorEvent(user, 'two_factor.enrollment_started', {
          channel,
          replacing,
          previousStatus: factor?.status ?? 'disabled',
        }),
        tx,
      );
    });
    const uri = otpauthUri({ issuer: TOTP_ISSUER, account: user.email, secret: secret.base32 });
    return { otpauthUri: uri, secret: secret.base32, qrCode: await qrCodeDataUrl(uri) };
  }

  /**
   * Confirms the enrollment in progress with a code from the new authenticator. `andThen` runs in
   * the same transaction (the forced sign-in uses up its challenge and opens the session there).
   */
  async confirm<T = void>(
    user: User,
    code: string,
    channel: EnrollmentChannel,
    andThen?: (tx: EntityManager) => Promise<T>,
  ): Promise<{ recoveryCodes: string[]; then: T | undefined }> {
    const factor = await this.repository.findFactor(user.id);
    const sealed = await this.repository.loadSecret(user.id, 'pending');
    // a pending secret sealed under a key that is no longer configured is as good as none
    if (factor === null || sealed === null || !this.box.canOpen(sealed.keyId)) {
      throw new DomainError('no_pending_enrollment', 'Start the enrollment first');
    }
    const secret = this.box.open(sealed, secretContext(user.id));
    const check = await checkTotpNowAndWipe(secret, code, factor.lastUsedStep);
    if (check.result !== 'valid') {
      // No lock-out here: whoever can confirm was just shown this secret, guessing gains nothing.
      await this.audit.record(
        ownFactorEvent(user, 'two_factor.enrollment_code_failed', {
          channel,
          reason: check.result === 'replayed' ? 'replayed' : 'wrong',
        }),
      );
      throw wrongEnrollmentCode(check.result === 'replayed');
    }
    const recoveryCodes = generateRecoveryCodes();
    const then = await this.dataSource.transaction(async (tx) => {
      const locked = await this.repository.findFactorForUpdate(user.id, tx);
      if (!(await this.repository.activatePending(user.id, sealed.iv, check.step, tx))) {
        // a concurrent confirmation won, or the enrollment was restarted or reset meanwhile
        throw wrongEnrollmentCode(true);
      }
      await this.storeRecoveryCodes(user.id, recoveryCodes, tx);
      await this.audit.record(
        ownFactorEvent(user, 'two_factor.enabled', {
          channel,
          previousStatus: locked?.status ?? 'disabled',
        }),
        tx,
      );
      await this.events.record(tx, {
        type: 'two_factor.enabled',
        organizationId: user.organizationId,
        userId: user.id,
        actor: { type: 'user', id: user.id },
      });
      await this.notifier.enabled(user, tx);
      return andThen === undefined ? undefined : andThen(tx);
    });
    return { recoveryCodes, then };
  }

  /** A fresh set of 10 recovery codes for a current TOTP code; the old set stops working. */
  async regenerateRecoveryCodes(user: User, code: string): Promise<string[]> {
    const outcome = await this.secondFactor.verifyTotp(user, code, 'recovery_codes');
    if (outcome === 'not_active') {
      throw new DomainError('two_factor_not_enrolled', 'Two-factor authentication is not on');
    }
    if (outcome !== 'ok') throw stepUpFailed();
    const recoveryCodes = generateRecoveryCodes();
    await this.dataSource.transaction(async (tx) => {
      await this.storeRecoveryCodes(user.id, recoveryCodes, tx);
      await this.audit.record(
        ownFactorEvent(user, 'two_factor.recovery_codes_regenerated', {
          count: recoveryCodes.length,
        }),
        tx,
      );
    });
    return recoveryCodes;
  }

  private async storeRecoveryCodes(userId: string, codes: string[], tx: EntityManager) {
    const hashes = codes.map((code) => hashRecoveryCode(normalizeRecoveryCode(code) as string));
    await this.repository.replaceRecoveryCodes(userId, hashes, tx);
  }
}

function stepUpFailed(): DomainError {
  return new DomainError('step_up_failed', 'The code is not valid; enter the current code');
}

function wrongEnrollmentCode(replayed: boolean): DomainError {
  return new DomainError(
    'invalid_enrollment_code',
    replayed
      ? 'This code was already used; wait for the next code from your authenticator'
      : 'The code does not match; check the time on your phone and enter the current code',
  );
}

/** An event of users acting on their own second factor. */
function ownFactorEvent(user: User, action: string, data: AuditEntry['data']): AuditEntry {
  return {
    actor: { type: 'user', id: user.id },
    action,
    targetUserId: user.id,
    organizationId: user.organizationId,
    data,
  };
}
