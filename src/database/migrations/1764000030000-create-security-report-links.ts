import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "This wasn't me": the report link of every mail about a change to the holder's own sign-in
 * (single-use, 30 days, only its SHA-256 stored), the report it records (`reported_at`) and the
 * freeze of e-mail recovery it starts (`frozen_until`); and the rejection reason of a recovery
 * mail that arrives during the freeze.
 */
export class CreateSecurityReportLinks1764000030000 implements MigrationInterface {
  name = 'CreateSecurityReportLinks1764000030000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE security_report_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id),
        token_hash bytea NOT NULL,
        event text NOT NULL CHECK (event IN ('two_factor_enabled', 'two_factor_reset_by_admin',
          'recovery_received', 'recovery_approved')),
        event_at timestamptz NOT NULL,
        request_id uuid REFERENCES recovery_requests (id),
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        reported_at timestamptz,
        frozen_until timestamptz,
        CONSTRAINT security_report_links_frozen_iff_reported
          CHECK ((reported_at IS NULL) = (frozen_until IS NULL))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX security_report_links_token_key ON security_report_links (token_hash)`,
    );
    // the freeze check and the agents' count read a user's reports
    await db.query(`
      CREATE INDEX security_report_links_user_reported_idx
      ON security_report_links (user_id, reported_at) WHERE reported_at IS NOT NULL`);
    await db.query(`ALTER TABLE recovery_requests DROP CONSTRAINT recovery_requests_reason_check`);
    await db.query(`
      ALTER TABLE recovery_requests ADD CONSTRAINT recovery_requests_reason_check
      CHECK (reason IN ('sender_not_authenticated', 'ambiguous_sender', 'unknown_sender',
        'no_active_2fa', 'no_evidence', 'evidence_mismatch', 'ambiguous_evidence',
        'rate_limited', 'duplicate_request', 'account_frozen'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM recovery_requests WHERE reason = 'account_frozen'`);
    await db.query(`ALTER TABLE recovery_requests DROP CONSTRAINT recovery_requests_reason_check`);
    await db.query(`
      ALTER TABLE recovery_requests ADD CONSTRAINT recovery_requests_reason_check
      CHECK (reason IN ('sender_not_authenticated', 'ambiguous_sender', 'unknown_sender',
        'no_active_2fa', 'no_evidence', 'evidence_mismatch', 'ambiguous_evidence',
        'rate_limited', 'duplicate_request'))`);
    await db.query(`DROP TABLE security_report_links`);
  }
}
