import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbound mail outbox: the row is the truth, the BullMQ job (id = row id) only the nudge.
 * `vars` holds what the template needs until the mail is sent, then it is wiped (a recovery
 * receipt carries a cancel token), keeping only the delivery record.
 */
export class CreateOutboundMails1764000001000 implements MigrationInterface {
  name = 'CreateOutboundMails1764000001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbound_mails (
        id uuid PRIMARY KEY,
        template text NOT NULL CHECK (length(template) BETWEEN 1 AND 100),
        to_address text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 320),
        user_id uuid REFERENCES users (id) ON DELETE SET NULL,
        locale text NOT NULL CHECK (locale IN ('sv', 'en')),
        vars jsonb,
        in_reply_to text,
        reference_ids text[] NOT NULL DEFAULT '{}',
        auto_reply boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        message_id text NOT NULL,
        locked_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT outbound_mails_sent_has_time CHECK ((status = 'sent') = (sent_at IS NOT NULL))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX outbound_mails_message_id_key ON outbound_mails (message_id)`,
    );
    // the sweeper's query: pending rows, oldest first
    await db.query(
      `CREATE INDEX outbound_mails_pending_idx ON outbound_mails (created_at) WHERE status = 'pending'`,
    );
    await db.query(`CREATE INDEX outbound_mails_user_id_idx ON outbound_mails (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbound_mails`);
  }
}
