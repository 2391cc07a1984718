import { spawnApp } from '../helpers/spawn-app';
import { testEnv } from '../helpers/test-app';

describe('start-up configuration', () => {
  it.each([
    ['HTTP_PORT', 'eighty', /HTTP_PORT/],
    ['SECRET_KEY', 'c2hvcnQ=', /SECRET_KEY: must be 32 bytes/],
    ['SENDER_AUTH', 'maybe', /SENDER_AUTH/],
    ['DATABASE_URL', 'mysql://x@y/z', /DATABASE_URL/],
    ['ROLES', 'api,cron', /ROLES: unknown role "cron"/],
  ])('refuses %s=%s with one line naming the variable', async (name, value, expected) => {
    const app = spawnApp({ ...testEnv(), [name]: value });
    const code = await app.exited;
    expect(code).toBe(1);
    const lines = app.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });
});
