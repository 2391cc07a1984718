import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the session last proved the second factor (the sign-in code, an enrollment confirmed in
 * it, or a step-up). Agents' approvals and denials need it to be recent.
 */
export class AddSessionStepUp1764000009000 implements MigrationInterface {
  name = 'AddSessionStepUp1764000009000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions ADD COLUMN step_up_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE sessions DROP COLUMN step_up_at`);
  }
}
