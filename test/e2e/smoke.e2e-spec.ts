import { startTestApp, TestApp } from '../helpers/test-app';
import { makeUser, signIn } from '../helpers/factories';

describe('the application boots on real PostgreSQL and Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports health 200 with both dependencies up', async () => {
    const response = await t.http.get('/health').expect(200);
    expect(response.body.info).toMatchObject({
      postgres: { status: 'up' },
      redis: { status: 'up' },
    });
  });

  it('signs a user in and out', async () => {
    const user = await makeUser(t.dataSource);
    const token = await signIn(t.http, user.email);
    const me = await t.http.get('/api/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ id: user.id, email: user.email, role: 'practitioner' });
    await t.http.post('/api/auth/logout').set('Authorization', `Bearer ${token}`).expect(204);
    await t.http.get('/api/me').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('answers malformed JSON with 400 in the contract shape', async () => {
    const response = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Malformed JSON body',
      code: 'invalid_input',
    });
  });
});
