import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { returned } from '../common/returned-rows';
import { SealedSecret, SecretBox } from './secret-box';
import { RecoveryCode, TwoFactorFactor, TwoFactorStatus } from './two-factor.entity';

/** The factor's state without its secrets. */
export type FactorState = Omit<
  TwoFactorFactor,
  'secretCiphertext' | 'secretIv' | 'secretTag' | 'pendingCiphertext' | 'pendingIv' | 'pendingTag'
>;

interface SealedRow {
  ciphertext: Buffer | null;
  iv: Buffer | null;
  tag: Buffer | null;
  key_id: string | null;
}

function sealedFrom(row: SealedRow | undefined): SealedSecret | null {
  if (row === undefined || row.ciphertext === null || row.iv === null || row.tag === null) {
    return null;
  }
  if (row.key_id === null) return null;
  return { ciphertext: row.ciphertext, iv: row.iv, tag: row.tag, keyId: row.key_id };
}

/** Which set of secret columns: the active factor, or the enrollment in progress. */
export type SecretSlot = 'active' | 'pending';

/**
 * Every query on the factor and recovery-code tables. State changes that must happen once (a time step, a
 * recovery code, a challenge) are single guarded UPDATEs, so concurrent requests cannot both win.
 */
@Injectable()
export class TwoFactorRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  /**
   * An active factor whose secret no configured key can open (SECRET_KEY changed without its
   * predecessor in SECRET_KEYS_PREVIOUS) reads as `reset_required`: its owner signs in with the
   * password and enrolls again, exactly as after an admin's reset. It never reads as no factor,
   * so a key mistake cannot turn a second factor off. The row itself is left as it is: once the
   * missing key is configured again, the factor works as before.
   */
  private effective<T extends Pick<TwoFactorFactor, 'status' | 'secretKeyId'>>(factor: T): T {
    if (factor.status !== 'active' || factor.secretKeyId === null) return factor;
    if (this.box.canOpen(factor.secretKeyId)) return factor;
    return { ...factor, status: 'reset_required' };
  }

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** The factor as sign-in sees it (see `effective`). */
  async findFactor(userId: string, manager?: EntityManager): Promise<FactorState | null> {
    const factor = await this.manager(manager).getRepository(TwoFactorFactor).findOneBy({ userId });
    return factor === null ? null : this.effective(factor);
  }

  /** Locks the factor row for the rest of the caller's transaction; the status as stored. */
  findFactorForUpdate(userId: string, manager: EntityManager): Promise<FactorState | null> {
    return manager
      .getRepository(TwoFactorFactor)
      .createQueryBuilder('f')
      .setLock('pessimistic_write')
      .where('f.user_id = :userId', { userId })
      .getOne();
  }

  async loadSecret(
    userId: string,
    slot: SecretSlot,
    manager?: EntityManager,
  ): Promise<SealedSecret | null> {
    const prefix = slot === 'active' ? 'secret' : 'pending';
    const rows: SealedRow[] = await this.manager(manager).query(
      `SELECT ${prefix}_ciphertext AS ciphertext, ${prefix}_iv AS iv, ${prefix}_tag AS tag,
              ${prefix}_key_id AS key_id
         FROM two_factor_factors WHERE user_id = $1`,
      [userId],
    );
    return sealedFrom(rows[0]);
  }

  /**
   * Stores a new enrollment in progress, replacing any earlier one. A new row starts `pending`; an
   * existing row keeps its status, so an active factor stays active (and usable) until the new
   * secret is confirmed, and `reset_required` stays until then too.
   */
  async savePending(userId: string, sealed: SealedSecret, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO two_factor_factors
         (user_id, status, pending_ciphertext, pending_iv, pending_tag, pending_key_id,
          pending_started_at)
       VALUES ($1, 'pending', $2, $3, $4, $5, now())
       ON CONFLICT (user_id) DO UPDATE SET
         pending_ciphertext = excluded.pending_ciphertext, pending_iv = excluded.pending_iv,
         pending_tag = excluded.pending_tag, pending_key_id = excluded.pending_key_id,
         pending_started_at = now(), updated_at = now()`,
      [userId, sealed.ciphertext, sealed.iv, sealed.tag, sealed.keyId],
    );
  }

  /**
   * Turns the enrollment in progress into the active factor, consuming the confirmation code's
   * time step. Guarded by the nonce of the very secret that was checked (a concurrent restart of
   * the enrollment replaced it) and by the step, so two confirmations cannot both win.
   */
  async activatePending(
    userId: string,
    pendingIv: Buffer,
    step: number,
    manager: EntityManager,
  ): Promise<boolean> {
    const rows = returned(
      await manager.query(
        `UPDATE two_factor_factors SET
         status = 'active',
         secret_ciphertext = pending_ciphertext, secret_iv = pending_iv,
         secret_tag = pending_tag, secret_key_id = pending_key_id,
         pending_ciphertext = NULL, pending_iv = NULL, pending_tag = NULL, pending_key_id = NULL,
         pending_started_at = NULL,
         last_used_step = $3, consecutive_failures = 0, locked_until = NULL,
         enabled_at = now(), reset_at = NULL, updated_at = now()
       WHERE user_id = $1 AND pending_iv = $2
         AND (last_used_step IS NULL OR last_used_step < $3)
       RETURNING user_id`,
        [userId, pendingIv, step],
      ),
    );
    return rows.length === 1;
  }

  /**
   * Accepts a TOTP time step for an active, unlocked factor — at most once: of two requests with
   * the same code, only one sees a row updated. Success also ends the run of failures.
   */
  async consumeStep(userId: string, step: number): Promise<boolean> {
    const rows = returned(
      await this.dataSource.query(
        `UPDATE two_factor_factors
          SET last_used_step = $2, consecutive_failures = 0, updated_at = now()
        WHERE user_id = $1 AND status = 'active'
          AND (last_used_step IS NULL OR last_used_step < $2)
          AND (locked_until IS NULL OR locked_until <= now())
        RETURNING user_id`,
        [userId, step],
      ),
    );
    return rows.length === 1;
  }

  /**
   * Counts a failed code. The `limit`-th failure in a row locks the factor for `lockSeconds` and
   * starts a new count; the lock is in PostgreSQL, so restarts and other instances honour it.
   * Returns the lock's end when this failure set it (or one was already in force), else null.
   */
  async recordFailure(
    userId: string,
    limit: number,
    lockSeconds: number,
    manager: EntityManager,
  ): Promise<{ lockedUntil: Date | null; lockedNow: boolean }> {
    const rows = returned<{ locked_until: Date | null; locked_now: boolean }>(
      await manager.query(
        `UPDATE two_factor_factors SET
         consecutive_failures =
           CASE WHEN consecutive_failures + 1 >= $2 THEN 0 ELSE consecutive_failures + 1 END,
         locked_until = CASE WHEN consecutive_failures + 1 >= $2
           THEN now() + make_interval(secs => $3) ELSE locked_until END,
         updated_at = now()
       WHERE user_id = $1 AND (locked_until IS NULL OR locked_until <= now())
       RETURNING locked_until, (consecutive_failures = 0) AS locked_now`,
        [userId, limit, lockSeconds],
      ),
    );
    const row = rows[0];
    if (row === undefined) {
      const current = await this.findFactor(userId, manager);
      return { lockedUntil: current?.lockedUntil ?? null, lockedNow: false };
    }
    return { lockedUntil: row.locked_now ? row.locked_until : null, lockedNow: row.locked_now };
  }

  /**
   * After a reset: no secret (active or pending), no lock, status `reset_required`. Creates the
   * row when the user had none. Keeps last_used_step: steps stay once-per-user for good.
   */
  async wipeForReset(userId: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO two_factor_factors (user_id, status, reset_at) VALUES ($1, 'reset_required', now())
       ON CONFLICT (user_id) DO UPDATE SET
         status = 'reset_required',
         secret_ciphertext = NULL, secret_iv = NULL, secret_tag = NULL, secret_key_id = NULL,
         pending_ciphertext = NULL, pending_iv = NULL, pending_tag = NULL, pending_key_id = NULL,
         pending_started_at = NULL, consecutive_failures = 0, locked_until = NULL,
         enabled_at = NULL, reset_at = now(), updated_at = now()`,
      [userId],
    );
  }

  // ---- key rotation ----

  /**
   * Up to `limit` sealed secrets of one slot, users after `afterUserId` in id order, sealed under
   * any key but `exceptKeyId`: rotation walks them in batches and can stop and resume anywhere.
   */
  async sealedBatch(
    slot: SecretSlot,
    exceptKeyId: string,
    afterUserId: string | null,
    limit: number,
  ): Promise<{ userId: string; sealed: SealedSecret }[]> {
    const prefix = slot === 'active' ? 'secret' : 'pending';
    const rows: (SealedRow & { user_id: string })[] = await this.dataSource.query(
      `SELECT user_id, ${prefix}_ciphertext AS ciphertext, ${prefix}_iv AS iv,
              ${prefix}_tag AS tag, ${prefix}_key_id AS key_id
         FROM two_factor_factors
        WHERE ${prefix}_key_id IS NOT NULL AND ${prefix}_key_id <> $1
          AND ($2::uuid IS NULL OR user_id > $2::uuid)
        ORDER BY user_id LIMIT $3`,
      [exceptKeyId, afterUserId, limit],
    );
    return rows.flatMap((row) => {
      const sealed = sealedFrom(row);
      return sealed === null ? [] : [{ userId: row.user_id, sealed }];
    });
  }

  /**
   * Replaces one sealed secret with its re-sealed copy, only if the row still holds exactly the
   * old seal: a user who enrolls again or is reset meanwhile keeps what they have now.
   */
  async replaceSealed(
    userId: string,
    slot: SecretSlot,
    old: SealedSecret,
    resealed: SealedSecret,
    manager?: EntityManager,
  ): Promise<boolean> {
    const prefix = slot === 'active' ? 'secret' : 'pending';
    const rows = returned(
      await this.manager(manager).query(
        `UPDATE two_factor_factors
            SET ${prefix}_ciphertext = $6, ${prefix}_iv = $7, ${prefix}_tag = $8,
                ${prefix}_key_id = $9
          WHERE user_id = $1 AND ${prefix}_ciphertext = $2 AND ${prefix}_iv = $3
            AND ${prefix}_tag = $4 AND ${prefix}_key_id = $5
          RETURNING user_id`,
        [
          userId,
          old.ciphertext,
          old.iv,
          old.tag,
          old.keyId,
          resealed.ciphertext,
          resealed.iv,
          resealed.tag,
          resealed.keyId,
        ],
      ),
    );
    return rows.length === 1;
  }

  /** How many sealed secrets (active and pending) each key id holds. */
  async countByKeyId(): Promise<Map<string, number>> {
    const rows: { key_id: string; count: string }[] = await this.dataSource.query(
      `SELECT key_id, count(*) AS count FROM (
         SELECT secret_key_id AS key_id FROM two_factor_factors WHERE secret_key_id IS NOT NULL
         UNION ALL
         SELECT pending_key_id FROM two_factor_factors WHERE pending_key_id IS NOT NULL
       ) sealed GROUP BY key_id ORDER BY key_id`,
    );
    return new Map(rows.map((row) => [row.key_id, Number(row.count)]));
  }

  // ---- recovery codes ----

  /** Replaces the user's recovery codes: the old ones stop working in the same transaction. */
  async replaceRecoveryCodes(userId: string, hashes: Buffer[], manager: EntityManager) {
    await this.deleteRecoveryCodes(userId, manager);
    const repository = manager.getRepository(RecoveryCode);
    await repository.insert(hashes.map((codeHash) => ({ userId, codeHash, usedAt: null })));
  }

  async deleteRecoveryCodes(userId: string, manager: EntityManager): Promise<number> {
    const result = await manager.getRepository(RecoveryCode).delete({ userId });
    return result.affected ?? 0;
  }

  /** Marks an unused code used; true for exactly one of any number of concurrent attempts. */
  async useRecoveryCode(userId: string, codeHash: Buffer, manager: EntityManager) {
    const rows = returned(
      await manager.query(
        `UPDATE two_factor_recovery_codes SET used_at = now()
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
          AND EXISTS (SELECT 1 FROM two_factor_factors
                       WHERE user_id = $1 AND status = 'active'
                         AND (locked_until IS NULL OR locked_until <= now()))
        RETURNING id`,
        [userId, codeHash],
      ),
    );
    return rows.length === 1;
  }

  async countUnusedRecoveryCodes(userId: string, manager?: EntityManager): Promise<number> {
    return this.manager(manager).getRepository(RecoveryCode).countBy({ userId, usedAt: IsNull() });
  }

  // ---- what users and admins see ----

  async statuses(userIds: string[]): Promise<Map<string, TwoFactorStatus>> {
    const factors =
      userIds.length === 0
        ? []
        : await this.dataSource.getRepository(TwoFactorFactor).find({
            where: { userId: In(userIds) },
            select: { userId: true, status: true, secretKeyId: true },
          });
    return new Map(factors.map((factor) => [factor.userId, this.effective(factor).status]));
  }
}
