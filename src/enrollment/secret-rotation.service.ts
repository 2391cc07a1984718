import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { secretContext } from './second-factor.service';
import { SecretBox } from './secret-box';
import { SecretSlot, TwoFactorRepository } from './two-factor.repository';

/** Secrets read, re-sealed and written per batch. */
export const ROTATION_BATCH = 200;

export interface KeyIdCount {
  keyId: string;
  count: number;
  /** `current` (SECRET_KEY), `previous` (SECRET_KEYS_PREVIOUS) or `unknown`: cannot be opened */
  key: 'current' | 'previous' | 'unknown';
}

export interface RotationResult {
  resealed: number;
  /** sealed under a key that is not configured: left alone, their owners must enroll again */
  unknownKey: number;
  /** would not open although the key is configured (altered), or changed meanwhile */
  skipped: number;
}

/**
 * Key rotation for TOTP secrets: which key seals how many, and re-sealing under SECRET_KEY what
 * older keys sealed. Safe while the service runs: each secret is replaced by a guarded UPDATE
 * that matches only the exact old seal, and batches commit one by one, so an interrupted run is
 * simply started again.
 */
@Injectable()
export class SecretRotationService {
  constructor(
    private readonly repository: TwoFactorRepository,
    private readonly box: SecretBox,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async status(): Promise<KeyIdCount[]> {
    const counts = await this.repository.countByKeyId();
    const configured = new Set(this.box.keyIds);
    const rows: KeyIdCount[] = [...counts].map(([keyId, count]) => ({
      keyId,
      count,
      key:
        keyId === this.box.currentKeyId
          ? 'current'
          : configured.has(keyId)
            ? 'previous'
            : 'unknown',
    }));
    if (!counts.has(this.box.currentKeyId)) {
      rows.unshift({ keyId: this.box.currentKeyId, count: 0, key: 'current' });
    }
    return rows;
  }

  /** How many sealed secrets no configured key can open. */
  async unopenableCount(): Promise<number> {
    const counts = await this.repository.countByKeyId();
    let total = 0;
    for (const [keyId, count] of counts) if (!this.box.canOpen(keyId)) total += count;
    return total;
  }

  async rotate(): Promise<RotationResult> {
    const result: RotationResult = { resealed: 0, unknownKey: 0, skipped: 0 };
    for (const slot of ['active', 'pending'] as SecretSlot[]) {
      let after: string | null = null;
      for (;;) {
        const batch = await this.repository.sealedBatch(
          slot,
          this.box.currentKeyId,
          after,
          ROTATION_BATCH,
        );
        if (batch.length === 0) break;
        after = batch[batch.length - 1].userId;
        // one transaction per batch: a batch commits whole, so a run stopped anywhere resumes
        // cleanly, and row locks are held only for the few milliseconds a batch takes
        await this.dataSource.transaction(async (tx) => {
          for (const { userId, sealed } of batch) {
            if (!this.box.canOpen(sealed.keyId)) {
              result.unknownKey += 1;
              continue;
            }
            let plaintext: Buffer;
            try {
              plaintext = this.box.open(sealed, secretContext(userId));
            } catch {
              result.skipped += 1;
              continue;
            }
            const resealed = this.box.seal(plaintext, secretContext(userId));
            plaintext.fill(0);
            if (await this.repository.replaceSealed(userId, slot, sealed, resealed, tx)) {
              result.resealed += 1;
            } else {
              result.skipped += 1;
            }
          }
        });
      }
    }
    return result;
  }
}
