import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRecoveryRequests1764000004000 implements MigrationInterface {
  name = 'CreateRecoveryRequests1764000004000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE recovery_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        inbound_message_id uuid NOT NULL REFERENCES inbound_messages (id),
        status text NOT NULL CHECK (status IN ('awaiting_approval', 'approved', 'completed',
          'denied', 'cancelled', 'expired', 'rejected')),
        reason text CHECK (reason IN ('sender_not_authenticated', 'ambiguous_sender',
          'unknown_sender', 'no_active_2fa', 'no_evidence', 'evidence_mismatch',
          'ambiguous_evidence', 'rate_limited', 'duplicate_request')),
        sender text NOT NULL,
        user_id uuid REFERENCES users (id),
        organization_id uuid REFERENCES organizations (id),
        received_at timestamptz NOT NULL,
        decided_at timestamptz,
        decided_by uuid REFERENCES users (id),
        checks jsonb NOT NULL,
        risk jsonb,
        approvals_required int NOT NULL DEFAULT 1 CHECK (approvals_required BETWEEN 1 AND 2),
        subject text,
        body_excerpt text,
        cancel_token_hash bytea,
        expires_at timestamptz,
        executes_at timestamptz,
        completed_at timestamptz,
        deny_reason text,
        message_id_header text,
        references_header text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT recovery_requests_reason_iff_rejected CHECK ((status = 'rejected') = (reason IS NOT NULL))
      )`);
    // processing the same inbound message twice yields one request
    await db.query(
      `CREATE UNIQUE INDEX recovery_requests_inbound_message_key ON recovery_requests (inbound_message_id)`,
    );
    // at most one open request per user: a second one is a duplicate_request
    await db.query(`
      CREATE UNIQUE INDEX recovery_requests_one_open_per_user ON recovery_requests (user_id)
      WHERE status IN ('awaiting_approval', 'approved')`);
    await db.query(
      `CREATE INDEX recovery_requests_user_received_idx ON recovery_requests (user_id, received_at)`,
    );
    await db.query(
      `CREATE INDEX recovery_requests_status_received_idx ON recovery_requests (status, received_at)`,
    );
    await db.query(
      `CREATE UNIQUE INDEX recovery_requests_cancel_token_key ON recovery_requests (cancel_token_hash)`,
    );
    await db.query(`
      CREATE TABLE recovery_approvals (
        request_id uuid NOT NULL REFERENCES recovery_requests (id),
        agent_id uuid NOT NULL REFERENCES users (id),
        approved_at timestamptz NOT NULL DEFAULT now(),
        note text CHECK (length(note) <= 2000),
        PRIMARY KEY (request_id, agent_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE recovery_approvals`);
    await db.query(`DROP TABLE recovery_requests`);
  }
}
