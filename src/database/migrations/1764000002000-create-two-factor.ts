import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTwoFactor1764000002000 implements MigrationInterface {
  name = 'CreateTwoFactor1764000002000';

  async up(db: QueryRunner): Promise<void> {
    // One TOTP factor per user. The active secret and an enrollment in progress live side by side,
    // so replacing an authenticator never leaves the user without a working one. Secrets are only
    // ever stored sealed (AES-256-GCM), with the id of the key that sealed them.
    await db.query(`
      CREATE TABLE two_factor_factors (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('pending', 'active', 'reset_required')),
        secret_ciphertext bytea,
        secret_iv bytea,
        secret_tag bytea,
        secret_key_id text,
        pending_ciphertext bytea,
        pending_iv bytea,
        pending_tag bytea,
        pending_key_id text,
        pending_started_at timestamptz,
        -- the last TOTP time step accepted: each step is accepted once per user
        last_used_step bigint,
        consecutive_failures integer NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
        locked_until timestamptz,
        enabled_at timestamptz,
        reset_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT two_factor_active_has_secret
          CHECK ((status = 'active') = (secret_ciphertext IS NOT NULL)),
        CONSTRAINT two_factor_secret_complete
          CHECK (num_nulls(secret_ciphertext, secret_iv, secret_tag, secret_key_id) IN (0, 4)),
        CONSTRAINT two_factor_pending_complete CHECK (
          num_nulls(pending_ciphertext, pending_iv, pending_tag, pending_key_id, pending_started_at)
            IN (0, 5)),
        CONSTRAINT two_factor_pending_status_has_pending
          CHECK (status <> 'pending' OR pending_ciphertext IS NOT NULL)
      )`);
    // Single-use look-up secrets, stored as SHA-256 of the code (they are 80-bit random).
    await db.query(`
      CREATE TABLE two_factor_recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz
      )`);
    await db.query(
      `CREATE UNIQUE INDEX two_factor_recovery_codes_user_hash_key
         ON two_factor_recovery_codes (user_id, code_hash)`,
    );
    // What a correct password buys: a short-lived, single-use ticket for the second step. Only the
    // SHA-256 of the ticket is stored, like session tokens.
    await db.query(`
      CREATE TABLE sign_in_challenges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('totp', 'enroll')),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        ip text
      )`);
    await db.query(
      `CREATE UNIQUE INDEX sign_in_challenges_token_hash_key ON sign_in_challenges (token_hash)`,
    );
    await db.query(`CREATE INDEX sign_in_challenges_user_id_idx ON sign_in_challenges (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE sign_in_challenges`);
    await db.query(`DROP TABLE two_factor_recovery_codes`);
    await db.query(`DROP TABLE two_factor_factors`);
  }
}
