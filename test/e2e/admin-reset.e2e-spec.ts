import { randomUUID } from 'node:crypto';
import { TwoFactorResetService } from '../../src/admin-reset/two-factor-reset.service';
import type { User } from '../../src/accounts/user.entity';
import { makeOrganization, makeUser, signIn } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import {
  auditActions,
  awayFromStepEdge,
  bearer,
  deliveredMail,
  loginChallenge,
  makeActiveFactor,
  totpAt,
} from '../helpers/two-factor';

jest.setTimeout(120_000);

type Member = User & { password: string; token: string; secret?: string };

/**
 * The users page and the in-app reset. Sessions are opened with the password before the factor
 * is added in the database, so no time step is spent before a test spends it on purpose.
 */
describe('organization admin: users page and 2FA reset with step-up', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function member(
    organizationId: string,
    role: 'owner' | 'admin' | 'practitioner',
    withFactor = true,
  ): Promise<Member> {
    const user = await makeUser(t.dataSource, { organizationId, role, name: `Test ${role}` });
    const token = await signIn(t.http, user.email);
    const secret = withFactor ? (await makeActiveFactor(t.dataSource, user.id)).secret : undefined;
    return { ...user, token, secret };
  }

  async function team() {
    const organization = await makeOrganization(t.dataSource);
    return {
      organization,
      owner: await member(organization.id, 'owner'),
      admin: await member(organization.id, 'admin'),
      plainAdmin: await member(organization.id, 'admin', false),
      practitioner: await member(organization.id, 'practitioner'),
    };
  }

  function reset(actor: Member, targetId: string, code?: string) {
    return t.http
      .post(`/api/org/users/${targetId}/2fa/reset`)
      .set(...bearer(actor.token))
      .send(code === undefined ? {} : { code });
  }

  async function statusOf(userId: string): Promise<string> {
    const rows: { status: string }[] = await t.dataSource.query(
      `SELECT status FROM two_factor_factors WHERE user_id = $1`,
      [userId],
    );
    return rows[0]?.status ?? 'disabled';
  }

  it('shows the organization and its users with their 2FA status; the owner sets require2fa', async () => {
    const { organization, owner, admin, plainAdmin, practitioner } = await team();
    const outsider = await member((await makeOrganization(t.dataSource)).id, 'practitioner');

    const org = await t.http
      .get('/api/org')
      .set(...bearer(admin.token))
      .expect(200);
    expect(org.body).toEqual({
      id: organization.id,
      name: organization.name,
      plan: 'paid',
      require2fa: false,
    });
    const users = await t.http
      .get('/api/org/users')
      .set(...bearer(admin.token))
      .expect(200);
    expect(users.body).toHaveLength(4);
    expect(users.body).toEqual(
      expect.arrayContaining([
        {
          id: owner.id,
          email: owner.email,
          name: 'Test owner',
          role: 'owner',
          twoFactor: { status: 'active' },
        },
        expect.objectContaining({ id: plainAdmin.id, twoFactor: { status: 'disabled' } }),
      ]),
    );
    expect(JSON.stringify(users.body)).not.toContain(outsider.id);
    expect(JSON.stringify(users.body)).not.toContain('password');

    await t.http
      .get('/api/org')
      .set(...bearer(practitioner.token))
      .expect(403);
    await t.http
      .get('/api/org/users')
      .set(...bearer(practitioner.token))
      .expect(403);
    await t.http
      .patch('/api/org')
      .set(...bearer(admin.token))
      .send({ require2fa: true })
      .expect(403);
    await t.http
      .patch('/api/org')
      .set(...bearer(owner.token))
      .send({ require2fa: 'yes' })
      .expect(400);
    await t.http
      .patch('/api/org')
      .set(...bearer(owner.token))
      .send({})
      .expect(400);
    const patched = await t.http
      .patch('/api/org')
      .set(...bearer(owner.token))
      .send({ require2fa: true })
      .expect(200);
    expect(patched.body.require2fa).toBe(true);
    // the policy applies at the next sign-in of a member without 2FA
    await loginChallenge(t.http, plainAdmin.email, 'enroll');
    await t.http.get('/api/org').expect(401);
  });

  it('resets a member: their sessions end at once, the next sign-in enrolls, they are e-mailed', async () => {
    const { organization, admin, practitioner } = await team();
    await t.http
      .get('/api/me')
      .set(...bearer(practitioner.token))
      .expect(200);
    const step = await awayFromStepEdge();

    const done = await reset(admin, practitioner.id, totpAt(admin.secret as string, step)).expect(
      200,
    );
    expect(done.body).toEqual({ status: 'reset_required' });

    await t.http
      .get('/api/me')
      .set(...bearer(practitioner.token))
      .expect(401);
    expect(await statusOf(practitioner.id)).toBe('reset_required');
    const secrets: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM two_factor_factors
        WHERE user_id = $1 AND (secret_ciphertext IS NOT NULL OR pending_ciphertext IS NOT NULL)`,
      [practitioner.id],
    );
    expect(secrets[0].n).toBe(0);
    const codes: { n: number }[] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM two_factor_recovery_codes WHERE user_id = $1`,
      [practitioner.id],
    );
    expect(codes[0].n).toBe(0);
    const users = await t.http
      .get('/api/org/users')
      .set(...bearer(admin.token))
      .expect(200);
    expect(users.body).toContainEqual(
      expect.objectContaining({ id: practitioner.id, twoFactor: { status: 'reset_required' } }),
    );

    const events: { actor_id: string; organization_id: string; data: Record<string, unknown> }[] =
      await t.dataSource.query(
        `SELECT actor_id, organization_id, data FROM audit_events
          WHERE target_user_id = $1 AND action = 'two_factor.reset'`,
        [practitioner.id],
      );
    expect(events).toEqual([
      {
        actor_id: admin.id,
        organization_id: organization.id,
        data: expect.objectContaining({
          reason: 'admin_reset',
          previousStatus: 'active',
          sessionsRevoked: 1,
        }),
      },
    ]);

    const { eml } = await deliveredMail(
      t.dataSource,
      t.outboxDir,
      practitioner.id,
      'two_factor_reset_by_admin',
    );
    expect(eml.subject).toBe('Your two-factor authentication has been reset');
    expect(eml.text).toContain('Test admin');

    // next sign-in: enroll a new authenticator, then signed in
    const challenge = await loginChallenge(t.http, practitioner.email, 'enroll');
    const enrollment = await t.http.post('/api/auth/enroll').send({ challenge }).expect(200);
    const newSecret = enrollment.body.secret as string;
    expect(newSecret).not.toBe(practitioner.secret);
    const signedIn = await t.http
      .post('/api/auth/enroll/confirm')
      .send({ challenge, code: totpAt(newSecret, step + 1) })
      .expect(200);
    const me = await t.http
      .get('/api/me')
      .set(...bearer(signedIn.body.accessToken as string))
      .expect(200);
    expect(me.body.twoFactor).toEqual({ status: 'active', recoveryCodesRemaining: 10 });

    // the admin's step-up code was used up: the same code cannot reset anyone else
    const other = await member(organization.id, 'practitioner');
    await reset(admin, other.id, totpAt(admin.secret as string, step)).expect(403);
    expect(await statusOf(other.id)).toBe('active');
  });

  it('lets the owner reset an admin', async () => {
    const { owner, admin } = await team();
    const step = await awayFromStepEdge();
    await reset(owner, admin.id, totpAt(owner.secret as string, step)).expect(200);
    expect(await statusOf(admin.id)).toBe('reset_required');
    await t.http
      .get('/api/me')
      .set(...bearer(admin.token))
      .expect(401);
  });

  it('refuses with the documented statuses and changes nothing', async () => {
    const { owner, admin, plainAdmin, practitioner } = await team();
    const outsider = await member((await makeOrganization(t.dataSource)).id, 'practitioner');
    const step = await awayFromStepEdge();
    const adminCode = totpAt(admin.secret as string, step);
    const ownerCode = totpAt(owner.secret as string, step);

    // resetting oneself: 403 (owner and admin alike)
    const self = await reset(admin, admin.id, adminCode).expect(403);
    expect(self.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    await reset(owner, owner.id, ownerCode).expect(403);
    // an admin resetting the owner: 403
    await reset(admin, owner.id, adminCode).expect(403);
    // a user of another organization, or no such user: 404, as if it did not exist
    const cross = await reset(admin, outsider.id, adminCode).expect(404);
    expect(cross.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    await reset(admin, randomUUID(), adminCode).expect(404);
    await reset(admin, 'not-a-uuid', adminCode).expect(404);
    // an actor without active 2FA cannot step up: 403
    await reset(plainAdmin, practitioner.id, '123456').expect(403);
    // a practitioner is no admin: 403
    await reset(practitioner, admin.id, totpAt(practitioner.secret as string, step)).expect(403);
    // step-up code missing or malformed: 400 naming the field
    const missing = await reset(admin, practitioner.id).expect(400);
    expect(JSON.stringify(missing.body.message)).toContain('code');
    await reset(admin, practitioner.id, '12345').expect(400);
    // a wrong code: 403
    const wrong = await reset(
      admin,
      practitioner.id,
      totpAt(admin.secret as string, step + 5),
    ).expect(403);
    expect(wrong.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });

    for (const user of [owner, admin, practitioner, outsider]) {
      expect(await statusOf(user.id)).toBe('active');
    }
    await t.http
      .get('/api/me')
      .set(...bearer(practitioner.token))
      .expect(200);
    await t.http
      .get('/api/me')
      .set(...bearer(owner.token))
      .expect(200);
    // no refusal spent the admin's code: it still works once
    await reset(admin, practitioner.id, adminCode).expect(200);
    expect(await auditActions(t.dataSource, admin.id)).toContain('two_factor.code_failed');
  });

  it('refuses to reset a member who has no 2FA (409)', async () => {
    const { admin, plainAdmin } = await team();
    await reset(admin, plainAdmin.id, '123456').expect(409);
    expect(await statusOf(plainAdmin.id)).toBe('disabled');
  });

  it('TwoFactorResetService.reset (the support-recovery path) does the same, once', async () => {
    const { practitioner } = await team();
    const resets = t.app.get(TwoFactorResetService);
    const subjectId = randomUUID();
    const first = await t.dataSource.transaction((tx) =>
      resets.reset(
        {
          targetUserId: practitioner.id,
          actor: { type: 'system' },
          reason: 'support_recovery',
          subjectId,
        },
        tx,
      ),
    );
    expect(first).toEqual({ changed: true, previousStatus: 'active', sessionsRevoked: 1 });
    await t.http
      .get('/api/me')
      .set(...bearer(practitioner.token))
      .expect(401);
    const second = await t.dataSource.transaction((tx) =>
      resets.reset(
        {
          targetUserId: practitioner.id,
          actor: { type: 'system' },
          reason: 'support_recovery',
          subjectId,
        },
        tx,
      ),
    );
    expect(second).toEqual({
      changed: false,
      previousStatus: 'reset_required',
      sessionsRevoked: 0,
    });
    const events: { actor_type: string; subject_id: string }[] = await t.dataSource.query(
      `SELECT actor_type, subject_id FROM audit_events
        WHERE target_user_id = $1 AND action = 'two_factor.reset'`,
      [practitioner.id],
    );
    expect(events).toEqual([{ actor_type: 'system', subject_id: subjectId }]);
    // a rolled-back caller leaves everything as it was
    const { admin } = await team();
    await expect(
      t.dataSource.transaction(async (tx) => {
        await resets.reset(
          { targetUserId: admin.id, actor: { type: 'system' }, reason: 'support_recovery' },
          tx,
        );
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await statusOf(admin.id)).toBe('active');
    await t.http
      .get('/api/me')
      .set(...bearer(admin.token))
      .expect(200);
    await expect(
      t.dataSource.transaction((tx) =>
        resets.reset(
          { targetUserId: randomUUID(), actor: { type: 'system' }, reason: 'support_recovery' },
          tx,
        ),
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
