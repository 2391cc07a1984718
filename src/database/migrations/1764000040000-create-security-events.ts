import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Security events for other systems (src/events): an outbox written in the transaction of the
 * change it reports. `body` is the exact JSON that is signed and POSTed, fixed at insert so that
 * every attempt sends the same bytes under the same `webhook-id` (the row id). The other columns
 * say what it is about and how its delivery goes; no secret, code, token or billing value is
 * ever stored here.
 */
export class CreateSecurityEvents1764000040000 implements MigrationInterface {
  name = 'CreateSecurityEvents1764000040000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE security_events (
        id uuid PRIMARY KEY,
        type text NOT NULL CHECK (type IN ('two_factor.enabled', 'two_factor.reset',
          'recovery.requested', 'recovery.approved', 'recovery.completed', 'recovery.denied',
          'recovery.cancelled', 'recovery.expired', 'security.reported')),
        occurred_at timestamptz NOT NULL,
        organization_id uuid,
        user_id uuid NOT NULL,
        request_id uuid,
        actor_type text NOT NULL,
        actor_id uuid,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_attempt_at timestamptz,
        next_attempt_at timestamptz,
        last_status integer,
        last_error text,
        locked_until timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT security_events_delivered_has_time
          CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
      )`);
    // the sweeper's query: pending rows, oldest first
    await db.query(
      `CREATE INDEX security_events_pending_idx ON security_events (created_at) WHERE status = 'pending'`,
    );
    // GET /api/events/deliveries?status=: newest first
    await db.query(
      `CREATE INDEX security_events_status_idx ON security_events (status, created_at DESC)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE security_events`);
  }
}
