import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { entities } from '../../src/database/entities';
import { makeOrganization, makeUser } from '../helpers/factories';
import { createScratchDatabase, ScratchDatabase } from '../helpers/scratch-database';
import { spawnApp, SpawnedApp, waitForOutput } from '../helpers/spawn-app';
import { testEnv } from '../helpers/test-app';

/**
 * The "this wasn't me" token sits in the link's path: a real process logging at `info` must
 * never print it, on the page (GET and POST) or in the API's body.
 */
describe('request logs never carry a report token', () => {
  let database: ScratchDatabase;
  let app: SpawnedApp | undefined;
  let db: DataSource | undefined;

  beforeAll(async () => {
    database = await createScratchDatabase('report_logs');
  });
  afterAll(async () => {
    if (app !== undefined && app.child.exitCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    await db?.destroy();
    await database.drop();
  });

  it('prints /security/report/[redacted] and never the token', async () => {
    app = spawnApp({ ...testEnv(), DATABASE_URL: database.url, ROLES: 'api', LOG_LEVEL: 'info' });
    await waitForOutput(app, /web and API: http:\/\/\S+/, 90_000);
    const url = /web and API: (http:\/\/\S+)/.exec(app.output())?.[1] as string;
    db = await new DataSource({ type: 'postgres', url: database.url, entities }).initialize();

    // a link as the mail senders issue it: only the SHA-256 of the token in the database
    const organization = await makeOrganization(db);
    const user = await makeUser(db, { organizationId: organization.id, role: 'practitioner' });
    const tokens = [0, 1].map(() => randomBytes(32).toString('base64url'));
    for (const token of tokens) {
      await db.query(
        `INSERT INTO security_report_links (user_id, token_hash, event, event_at, expires_at)
         VALUES ($1, $2, 'two_factor_enabled', now(), now() + interval '30 days')`,
        [user.id, createHash('sha256').update(token).digest()],
      );
    }
    const browser = request.agent(url);
    const page = await browser.get(`/security/report/${tokens[0]}`).expect(200);
    expect(page.text).toContain('Two-factor authentication was turned on');
    await browser.post(`/security/report/${tokens[0]}`).type('form').send({}).expect(403);
    await request(url).post('/api/security/report').send({ token: tokens[1] }).expect(200);
    await request(url).post('/api/security/report').send({ token: tokens[1] }).expect(409);

    await waitForOutput(app, /"path":"\/security\/report\/\[redacted\]"/);
    await waitForOutput(app, /"path":"\/api\/security\/report"/);
    await waitForOutput(app, /"statusCode":409/);
    for (const token of tokens) expect(app.output()).not.toContain(token);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }, 240_000);
});
