import { spawnApp } from '../helpers/spawn-app';
import { PRODUCTION_ENV, testEnv } from '../helpers/test-app';

describe('start-up configuration', () => {
  it.each([
    ['HTTP_PORT', 'eighty', /HTTP_PORT/],
    ['SECRET_KEY', 'c2hvcnQ=', /SECRET_KEY: must be 32 bytes/],
    ['SENDER_AUTH', 'maybe', /SENDER_AUTH/],
    ['DATABASE_URL', 'mysql://x@y/z', /DATABASE_URL/],
    ['ROLES', 'api,cron', /ROLES: unknown role "cron"/],
    ['NODE_ENV', 'prod', /NODE_ENV: must be development, test, production/],
  ])('refuses %s=%s with one line naming the variable', async (name, value, expected) => {
    const app = spawnApp({ ...testEnv(), [name]: value });
    const code = await app.exited;
    expect(code).toBe(1);
    const lines = app.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });

  it.each([
    ['SENDER_AUTH', { SENDER_AUTH: 'none' }],
    ['MAIL_TRANSPORT', { MAIL_TRANSPORT: 'file:var/outbox' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'http://localhost:3000' }],
  ])(
    'refuses to start in production with the development-only %s, in one line naming it',
    async (name, change) => {
      const app = spawnApp({ ...testEnv(), ...PRODUCTION_ENV, ...change });
      // a process that starts instead of refusing is killed, so the test fails rather than hangs
      const started = setTimeout(() => app.child.kill('SIGKILL'), 30_000);
      const code = await app.exited;
      clearTimeout(started);
      expect(code).toBe(1);
      const lines = app.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${name}: .*production`));
    },
  );
});
