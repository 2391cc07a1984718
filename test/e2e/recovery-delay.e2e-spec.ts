import { RecoveryDecisionService } from '../../src/recovery/approval/recovery-decision.service';
import { signIn } from '../helpers/factories';
import {
  makeAgent,
  makeClinic,
  makeMember,
  RecoveryWorld,
  requestRow,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';
import { awayFromStepEdge, bearer, loginChallenge, signInWithTotp } from '../helpers/two-factor';

/** RECOVERY_DELAY_MINUTES: after approval the reset waits, and can still be cancelled. */
describe('recovery with a delay after approval', () => {
  let world: RecoveryWorld;
  beforeAll(async () => {
    world = await startRecoveryWorld({ RECOVERY_DELAY_MINUTES: '1' });
  });
  afterAll(async () => {
    await world.close();
  });

  it('schedules the reset after the delay, and an organization admin can cancel meanwhile', async () => {
    const clinic = await makeClinic(world);
    const admin = await makeMember(world, clinic, 'admin');
    const member = await makeMember(world, clinic);
    const agent = await makeAgent(world);
    const sent = await sendRecoveryMail(world, clinic, member.email, `Kort ${clinic.last4}`);
    const id = sent.requestId as string;

    const before = Date.now();
    const approved = await world.t.http
      .post(`/api/recovery/requests/${id}/approve`)
      .set(...bearer(agent.token))
      .send({})
      .expect(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvals: 1, approvalsRequired: 1 });
    const executesAt = Date.parse(approved.body.executesAt as string);
    expect(executesAt).toBeGreaterThanOrEqual(before + 59_000);
    expect(executesAt).toBeLessThanOrEqual(Date.now() + 61_000);

    // running the job early changes nothing: the delay is guarded in the database transaction
    const decisions = world.t.app.get(RecoveryDecisionService);
    expect(await decisions.executeReset(id)).toBe('skipped');
    expect((await requestRow(world.t.dataSource, id)).status).toBe('approved');

    // another organization's admin cannot see it; the member's own admin cancels it
    const stranger = await makeMember(world, await makeClinic(world), 'admin');
    const strangerToken = await signInWithTotp(
      world.t.http,
      stranger.email,
      stranger.secret as string,
      await awayFromStepEdge(),
    );
    await world.t.http
      .post(`/api/org/recovery-requests/${id}/cancel`)
      .set(...bearer(strangerToken))
      .expect(404);
    const adminToken = await signInWithTotp(
      world.t.http,
      admin.email,
      admin.secret as string,
      await awayFromStepEdge(),
    );
    await world.t.http
      .post(`/api/org/recovery-requests/${id}/cancel`)
      .set(...bearer(adminToken))
      .expect(200, { status: 'cancelled' });

    // an admin never acts on the owner: the owner's recovery is not theirs to cancel
    const owner = await makeMember(world, clinic, 'owner');
    const ownerRequest = await sendRecoveryMail(world, clinic, owner.email, `Kort ${clinic.last4}`);
    await world.t.http
      .post(`/api/org/recovery-requests/${ownerRequest.requestId}/cancel`)
      .set(...bearer(adminToken))
      .expect(403);

    // even once due, a cancelled request is never reset
    await world.t.dataSource.query(
      `UPDATE recovery_requests SET executes_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    expect(await decisions.executeReset(id)).toBe('skipped');
    await loginChallenge(world.t.http, member.email, 'totp');
    // a practitioner may not cancel through the organization API
    const practitioner = await makeMember(world, clinic, 'practitioner', { twoFactor: false });
    const token = await signIn(world.t.http, practitioner.email);
    await world.t.http
      .post(`/api/org/recovery-requests/${id}/cancel`)
      .set(...bearer(token))
      .expect(403);
  });
});
