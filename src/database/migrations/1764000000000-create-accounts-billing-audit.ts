import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccountsBillingAudit1764000000000 implements MigrationInterface {
  name = 'CreateAccountsBillingAudit1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        plan text NOT NULL CHECK (plan IN ('paid', 'academic')),
        require_2fa boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid REFERENCES organizations (id),
        email text NOT NULL,
        email_normalized text NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'practitioner', 'agent')),
        password_hash text NOT NULL,
        locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('sv', 'en')),
        created_at timestamptz NOT NULL DEFAULT now(),
        -- support agents belong to no organization; everyone else belongs to exactly one
        CONSTRAINT users_agent_has_no_organization CHECK ((role = 'agent') = (organization_id IS NULL))
      )`);
    await db.query(`CREATE UNIQUE INDEX users_email_normalized_key ON users (email_normalized)`);
    await db.query(`CREATE INDEX users_organization_id_idx ON users (organization_id)`);
    await db.query(
      `CREATE UNIQUE INDEX users_one_owner_per_organization ON users (organization_id) WHERE role = 'owner'`,
    );
    await db.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ip text,
        user_agent text
      )`);
    await db.query(`CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash)`);
    await db.query(`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`);
    await db.query(`
      CREATE TABLE billing_records (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('card', 'bank_account', 'student')),
        last4 text CHECK (last4 ~ '^[0-9]{4}$'),
        holder_name text CHECK (length(holder_name) BETWEEN 1 AND 200),
        student_id text CHECK (length(student_id) BETWEEN 1 AND 64),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT billing_records_kind_fields CHECK (
          (kind = 'student' AND student_id IS NOT NULL AND last4 IS NULL AND holder_name IS NULL)
          OR (kind <> 'student' AND last4 IS NOT NULL AND holder_name IS NOT NULL AND student_id IS NULL)
        )
      )`);
    await db.query(
      `CREATE INDEX billing_records_organization_id_idx ON billing_records (organization_id)`,
    );
    await db.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'system', 'provisioning', 'mailbox')),
        actor_id uuid,
        action text NOT NULL,
        target_user_id uuid,
        organization_id uuid,
        subject_id text,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`);
    await db.query(`CREATE UNIQUE INDEX audit_events_hash_key ON audit_events (hash)`);
    await db.query(`CREATE INDEX audit_events_target_user_id_idx ON audit_events (target_user_id)`);
    await db.query(
      `CREATE INDEX audit_events_organization_id_idx ON audit_events (organization_id)`,
    );
    await db.query(`CREATE INDEX audit_events_subject_id_idx ON audit_events (subject_id)`);
    // The audit trail is append-only: the database itself refuses to change or remove a row.
    await db.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await db.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_events`);
    await db.query(`DROP FUNCTION audit_events_refuse_change`);
    await db.query(`DROP TABLE billing_records`);
    await db.query(`DROP TABLE sessions`);
    await db.query(`DROP TABLE users`);
    await db.query(`DROP TABLE organizations`);
  }
}
