import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Inbound mail fetched from a mailbox over IMAP (source `imap`). A fetched message remembers
 * where it was found (mailbox, UIDVALIDITY, UID) so that a message still in the mailbox after a
 * crash between commit and move is recognised instead of stored again; the raw bytes' hash,
 * indexed for IMAP rows, recognises a copy dragged back into the mailbox (it has a new UID).
 * A message refused for its size is recorded without bytes: `raw_sha256` is then empty, which no
 * real digest is.
 */
export class AddImapIngress1764000020000 implements MigrationInterface {
  name = 'AddImapIngress1764000020000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE inbound_messages DROP CONSTRAINT IF EXISTS inbound_messages_source_check`,
    );
    await db.query(
      `ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_source_check
         CHECK (source IN ('smtp', 'webhook', 'imap'))`,
    );
    await db.query(`
      ALTER TABLE inbound_messages
        ADD COLUMN imap_mailbox text CHECK (length(imap_mailbox) <= 1000),
        ADD COLUMN imap_uidvalidity bigint,
        ADD COLUMN imap_uid bigint,
        ADD CONSTRAINT inbound_messages_imap_location
          CHECK ((imap_uid IS NULL) = (imap_uidvalidity IS NULL)
             AND (imap_uid IS NULL) = (imap_mailbox IS NULL)
             AND (imap_uid IS NULL OR source = 'imap'))`);
    await db.query(
      `CREATE UNIQUE INDEX inbound_messages_imap_location_key
         ON inbound_messages (imap_mailbox, imap_uidvalidity, imap_uid) WHERE imap_uid IS NOT NULL`,
    );
    await db.query(
      `CREATE INDEX inbound_messages_imap_sha_idx ON inbound_messages (raw_sha256) WHERE source = 'imap'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX inbound_messages_imap_sha_idx`);
    await db.query(`DROP INDEX inbound_messages_imap_location_key`);
    await db.query(`
      ALTER TABLE inbound_messages
        DROP CONSTRAINT inbound_messages_imap_location,
        DROP COLUMN imap_uid,
        DROP COLUMN imap_uidvalidity,
        DROP COLUMN imap_mailbox`);
    await db.query(`DELETE FROM inbound_messages WHERE source = 'imap'`);
    await db.query(`ALTER TABLE inbound_messages DROP CONSTRAINT inbound_messages_source_check`);
    await db.query(
      `ALTER TABLE inbound_messages ADD CONSTRAINT inbound_messages_source_check
         CHECK (source IN ('smtp', 'webhook'))`,
    );
  }
}
