/**
 * Agents always use two factors: an agent without an active factor enrolls at sign-in whatever
 * any organization's policy, and gets 403 `two_factor_required` on every agent route; approving
 * and denying need a code proved in the last 15 minutes of that session (the sign-in's, an
 * enrollment confirmed in it, POST /api/auth/step-up) or sent along, else 403 `step_up_required`.
 * Over a real recovery world: DKIM-signed requests by SMTP, codes from oathtool.
 */
import { SessionService } from '../../src/accounts/session.service';
import { makeUser } from '../helpers/factories';
import {
  Clinic,
  makeAgent,
  makeClinic,
  makeMember,
  RecoveryWorld,
  requestRow,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';
import {
  ageStepUp,
  awayFromStepEdge,
  bearer,
  currentStep,
  decodeQr,
  enrollAtSignIn,
  loginChallenge,
  makeActiveFactor,
  totpAt,
} from '../helpers/two-factor';

const AGENT_ROUTES = ['/api/recovery/requests', '/api/inbound/messages', '/api/audit'];

describe('agents always use two factors', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;

  beforeAll(async () => {
    world = await startRecoveryWorld();
    clinic = await makeClinic(world);
  });
  afterAll(async () => {
    await world?.close();
  });

  /** A fresh open request (one member each: a member has at most one open request). */
  async function openRequest(): Promise<string> {
    const member = await makeMember(world, clinic);
    const body = `I lost my phone. My card ends in ${clinic.last4}.`;
    const sent = await sendRecoveryMail(world, clinic, member.email, body);
    expect(sent.requestId).not.toBeNull();
    return sent.requestId as string;
  }

  const post = (token: string, path: string, body: object = {}) =>
    world.t.http
      .post(path)
      .set(...bearer(token))
      .send(body);

  /** A code the agent has not spent yet: the sign-in spent the current step. */
  const unspent = (secret: string) => totpAt(secret, currentStep() + 1);

  describe('an agent without an active factor', () => {
    it('must enroll at sign-in, though no organization requires it', async () => {
      const agent = await makeUser(world.t.dataSource, { role: 'agent' });
      await loginChallenge(world.t.http, agent.email, 'enroll', agent.password);
      // once enrolled, the agent signs in with a code and may work the queue
      const { token } = await enrollAtSignIn(world.t.http, agent.email, agent.password);
      for (const path of AGENT_ROUTES) {
        await world.t.http
          .get(path)
          .set(...bearer(token))
          .expect(200);
      }
      await loginChallenge(world.t.http, agent.email, 'totp', agent.password);
    });

    it('gets 403 two_factor_required on every agent route, even with a session', async () => {
      // a session from before the rule (or whose factor went away since): made directly
      const agent = await makeUser(world.t.dataSource, { role: 'agent' });
      const { accessToken } = await world.t.app.get(SessionService).create(agent.id);
      const id = await openRequest();
      const refused = [
        ...AGENT_ROUTES.map((path) => world.t.http.get(path).set(...bearer(accessToken))),
        world.t.http.get(`/api/recovery/requests/${id}`).set(...bearer(accessToken)),
        post(accessToken, `/api/recovery/requests/${id}/approve`),
        post(accessToken, `/api/recovery/requests/${id}/deny`, { reason: 'no' }),
      ];
      for (const response of await Promise.all(refused)) {
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ statusCode: 403, code: 'two_factor_required' });
      }
      expect((await requestRow(world.t.dataSource, id)).status).toBe('awaiting_approval');
      // its own account stays reachable (to turn 2FA on); other roles are untouched by the rule
      await world.t.http
        .get('/api/me')
        .set(...bearer(accessToken))
        .expect(200);
      await post(accessToken, '/api/auth/step-up', { code: '123456' })
        .expect(403)
        .expect((response) => expect(response.body.code).toBe('two_factor_required'));
    });

    it('counts the confirmation of an enrollment in its settings as a step-up of that session', async () => {
      const agent = await makeUser(world.t.dataSource, { role: 'agent' });
      const { accessToken } = await world.t.app.get(SessionService).create(agent.id);
      const started = await post(accessToken, '/api/me/2fa/enrollment').expect(200);
      const secret = new URL(decodeQr(started.body.qrCode as string)).searchParams.get('secret');
      await post(accessToken, '/api/me/2fa/enrollment/confirm', {
        code: totpAt(secret as string, currentStep()),
      }).expect(200);
      const id = await openRequest();
      await post(accessToken, `/api/recovery/requests/${id}/approve`).expect(200);
    });
  });

  describe('approving and denying', () => {
    it('works with the sign-in code for 15 minutes, then answers 403 step_up_required', async () => {
      const agent = await makeAgent(world);
      const first = await openRequest();
      await post(agent.token, `/api/recovery/requests/${first}/approve`).expect(200);

      await ageStepUp(world.t.dataSource, agent.id, 16);
      const second = await openRequest();
      for (const [path, body] of [
        [`/api/recovery/requests/${second}/approve`, {}],
        [`/api/recovery/requests/${second}/deny`, { reason: 'Ask your admin.' }],
      ] as const) {
        const refused = await post(agent.token, path, body).expect(403);
        expect(refused.body).toMatchObject({ statusCode: 403, code: 'step_up_required' });
      }
      expect((await requestRow(world.t.dataSource, second)).status).toBe('awaiting_approval');
      // just inside the window still counts
      await ageStepUp(world.t.dataSource, agent.id, 14);
      await post(agent.token, `/api/recovery/requests/${second}/deny`, { reason: 'No.' }).expect(
        200,
      );
    });

    it('accepts a code in the body of approve or deny, and refuses a wrong one with 401', async () => {
      await awayFromStepEdge();
      const agent = await makeAgent(world);
      await ageStepUp(world.t.dataSource, agent.id, 30);
      const id = await openRequest();
      const approve = `/api/recovery/requests/${id}/approve`;
      const wrong = await post(agent.token, approve, { code: '000000' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ code: 'invalid_code' });
      // the code of the sign-in was used up there: the replay guard refuses it here too
      const replayed = await post(agent.token, approve, {
        code: totpAt(agent.secret, currentStep()),
      });
      expect(replayed.body).toMatchObject({ code: 'invalid_code' });
      await post(agent.token, approve, { code: 'abc' }).expect(400);
      expect((await requestRow(world.t.dataSource, id)).status).toBe('awaiting_approval');

      const approved = await post(agent.token, approve, { code: unspent(agent.secret) });
      expect(approved.status).toBe(200);
      // and the code renewed the step-up: the next decision needs none
      const next = await openRequest();
      await post(agent.token, `/api/recovery/requests/${next}/deny`, { reason: 'No.' }).expect(200);
    });

    it('renews with POST /api/auth/step-up (204), per session, with the replay guard', async () => {
      await awayFromStepEdge();
      const agent = await makeAgent(world);
      await ageStepUp(world.t.dataSource, agent.id, 20);
      const wrong = await post(agent.token, '/api/auth/step-up', { code: '000000' }).expect(401);
      expect(wrong.body).toMatchObject({ statusCode: 401, code: 'invalid_code' });
      await post(agent.token, '/api/auth/step-up', {
        code: totpAt(agent.secret, currentStep()),
      }).expect(401);
      await post(agent.token, '/api/auth/step-up', {}).expect(400);
      await world.t.http.post('/api/auth/step-up').send({ code: '123456' }).expect(401);

      // a second session of the same agent, stale: stepping up one does not renew the other
      const other = await world.t.app.get(SessionService).create(agent.id);
      await post(agent.token, '/api/auth/step-up', { code: unspent(agent.secret) }).expect(204);
      const id = await openRequest();
      await post(other.accessToken, `/api/recovery/requests/${id}/approve`)
        .expect(403)
        .expect((response) => expect(response.body.code).toBe('step_up_required'));
      await post(agent.token, `/api/recovery/requests/${id}/approve`).expect(200);
    });

    it('counts a sign-in with a recovery code', async () => {
      const agent = await makeUser(world.t.dataSource, { role: 'agent' });
      const { recoveryCodes } = await makeActiveFactor(world.t.dataSource, agent.id);
      const challenge = await loginChallenge(world.t.http, agent.email, 'totp', agent.password);
      const signedIn = await world.t.http
        .post('/api/auth/recovery-code')
        .send({ challenge, code: recoveryCodes[0] })
        .expect(200);
      const id = await openRequest();
      await post(
        signedIn.body.accessToken as string,
        `/api/recovery/requests/${id}/approve`,
      ).expect(200);
    });

    it('locks step-up like sign-in after 10 wrong codes (429 two_factor_locked)', async () => {
      const agent = await makeAgent(world);
      const window = [-1, 0, 1].map((offset) => totpAt(agent.secret, currentStep() + offset));
      const wrong = ['111111', '222222', '333333'].find((code) => !window.includes(code));
      for (let attempt = 1; attempt <= 9; attempt += 1) {
        await post(agent.token, '/api/auth/step-up', { code: wrong }).expect(401);
      }
      const locked = await post(agent.token, '/api/auth/step-up', { code: wrong }).expect(429);
      expect(locked.body).toMatchObject({ code: 'two_factor_locked' });
      expect(locked.headers['retry-after']).toMatch(/^\d+$/);
      // while locked, even a right code sent with a decision is not checked
      const id = await openRequest();
      await post(agent.token, `/api/recovery/requests/${id}/approve`, {
        code: unspent(agent.secret),
      }).expect(429);
      expect((await requestRow(world.t.dataSource, id)).status).toBe('awaiting_approval');
    });
  });
});
