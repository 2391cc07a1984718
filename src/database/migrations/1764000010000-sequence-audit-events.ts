import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit events are written unsequenced (no `seq`, `prev_hash`, `hash`) in the writer's own
 * transaction, and the sequencer (src/audit/audit-sequencer.ts) integrates them into the hash
 * chain in batches. The append-only guard lets exactly that one change through: a row without a
 * `seq` may receive its `seq`, `prev_hash` and `hash` once, nothing else about it may change.
 * Existing events were chained in id order: they get `seq` in that order.
 */
export class SequenceAuditEvents1764000010000 implements MigrationInterface {
  name = 'SequenceAuditEvents1764000010000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE audit_events
        ADD COLUMN seq bigint,
        ALTER COLUMN prev_hash DROP NOT NULL,
        ALTER COLUMN hash DROP NOT NULL`);
    await db.query(`
      CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND OLD.hash IS NULL AND NEW.seq IS NOT NULL
           AND (NEW.id, NEW.occurred_at, NEW.actor_type, NEW.actor_id, NEW.action,
                NEW.target_user_id, NEW.organization_id, NEW.subject_id, NEW.data)
               IS NOT DISTINCT FROM
               (OLD.id, OLD.occurred_at, OLD.actor_type, OLD.actor_id, OLD.action,
                OLD.target_user_id, OLD.organization_id, OLD.subject_id, OLD.data) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
      END $$`);
    // Existing rows already carry their hashes, which the guard above does not let through: it
    // is switched off for this one statement that numbers them.
    await db.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    await db.query(`
      UPDATE audit_events e SET seq = ordered.n
        FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM audit_events) ordered
       WHERE e.id = ordered.id`);
    await db.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
    await db.query(`CREATE UNIQUE INDEX audit_events_seq_key ON audit_events (seq)`);
    // the sequencer's queue
    await db.query(
      `CREATE INDEX audit_events_unsequenced_idx ON audit_events (id) WHERE seq IS NULL`,
    );
    await db.query(`
      ALTER TABLE audit_events ADD CONSTRAINT audit_events_sequenced_whole
        CHECK ((seq IS NULL AND prev_hash IS NULL AND hash IS NULL)
            OR (seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_sequenced_whole`);
    await db.query(`DROP INDEX audit_events_unsequenced_idx`);
    await db.query(`DROP INDEX audit_events_seq_key`);
    await db.query(`
      CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
      END $$`);
    await db.query(`ALTER TABLE audit_events DROP COLUMN seq`);
  }
}
