import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound support mail. The row is the outbox: it is committed before SMTP answers 250 (or the
 * webhook 202), and its state is the truth about processing; BullMQ only carries work in flight.
 */
export class CreateInboundMessages1764000003000 implements MigrationInterface {
  name = 'CreateInboundMessages1764000003000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE inbound_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        received_at timestamptz NOT NULL DEFAULT now(),
        source text NOT NULL CHECK (source IN ('smtp', 'webhook')),
        -- the envelope, as the client presented it (feeds SPF)
        client_ip text,
        client_helo text,
        -- '' is the null reverse-path <>; NULL means the webhook caller did not say
        mail_from text,
        rcpt_to text[] NOT NULL DEFAULT '{}',
        -- the message exactly as received; NULL once purged after RAW_RETENTION_DAYS
        raw bytea,
        raw_size integer NOT NULL CHECK (raw_size >= 0),
        raw_sha256 bytea NOT NULL,
        raw_purged_at timestamptz,
        state text NOT NULL DEFAULT 'stored'
          CHECK (state IN ('stored', 'processed', 'ignored', 'failed')),
        reason text CHECK (length(reason) <= 100),
        attempts integer NOT NULL DEFAULT 0,
        last_error text CHECK (length(last_error) <= 1000),
        processed_at timestamptz,
        -- header metadata for agents and threading; bodies are re-parsed from raw, never copied
        from_addresses text[],
        subject text CHECK (length(subject) <= 1000),
        message_id_header text CHECK (length(message_id_header) <= 1000),
        in_reply_to text CHECK (length(in_reply_to) <= 1000),
        references_header text CHECK (length(references_header) <= 10000),
        attachments jsonb,
        authentication jsonb,
        decision text CHECK (length(decision) <= 100),
        -- one outcome per (authentication, sender, Message-ID): set only on the row that got it
        dedupe_key text,
        duplicate_of uuid REFERENCES inbound_messages (id),
        -- the recovery request this message produced (set by the verification hand-off)
        recovery_request_id uuid,
        CONSTRAINT inbound_messages_stored_has_raw CHECK (state <> 'stored' OR raw IS NOT NULL),
        CONSTRAINT inbound_messages_final_has_time CHECK ((state = 'stored') = (processed_at IS NULL))
      )`);
    // the real exactly-once guarantee for outcomes (BullMQ job ids only de-duplicate while the job exists)
    await db.query(
      `CREATE UNIQUE INDEX inbound_messages_dedupe_key ON inbound_messages (dedupe_key)`,
    );
    // the sweeper's scan for rows left behind (Redis was down, the process died)
    await db.query(
      `CREATE INDEX inbound_messages_stored_idx ON inbound_messages (received_at) WHERE state = 'stored'`,
    );
    await db.query(
      `CREATE INDEX inbound_messages_state_received_idx ON inbound_messages (state, received_at DESC)`,
    );
    await db.query(
      `CREATE INDEX inbound_messages_received_idx ON inbound_messages (received_at DESC)`,
    );
    await db.query(
      `CREATE INDEX inbound_messages_purge_idx ON inbound_messages (received_at) WHERE raw IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE inbound_messages`);
  }
}
