import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { expectErrorShape, csrfOf } from '../helpers/assertions';
import { signIn } from '../helpers/factories';
import {
  Clinic,
  makeAgent,
  makeClinic,
  makeMember,
  mailsTo,
  Member,
  RecoveryWorld,
  requestRow,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';
import { eventually, SunkMail } from '../helpers/smtp-sink';
import {
  awayFromStepEdge,
  bearer,
  currentStep,
  enrollAtSignIn,
  signInWithTotp,
  sleep,
  totpAt,
} from '../helpers/two-factor';

/** The SHA-256 of a token, computed here rather than by the code under test. */
const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** The token of the "this wasn't me" link in a delivered mail (text part and HTML agree). */
function reportToken(mail: SunkMail): string {
  const text = mail.parsed.text ?? '';
  const match = /https?:\/\/\S+\/security\/report\/([A-Za-z0-9_-]+)/.exec(text);
  if (match === null) throw new Error(`no report link in "${mail.parsed.subject}"`);
  expect(String(mail.parsed.html)).toContain(`/security/report/${match[1]}"`);
  return match[1];
}

/** "This wasn't me" (a report link in every mail about one's own sign-in) and the org's view. */
describe('"this wasn\'t me" and the organization\'s recovery requests', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;
  let owner: Member;
  let admin: Member;
  let agent: { id: string; token: string };
  let adminToken: string;

  beforeAll(async () => {
    world = await startRecoveryWorld({ REPORT_FREEZE_DAYS: '7' });
    clinic = await makeClinic(world);
    owner = await makeMember(world, clinic, 'owner');
    admin = await makeMember(world, clinic, 'admin', { locale: 'sv' });
    agent = await makeAgent(world);
    adminToken = await signInWithTotp(
      world.t.http,
      admin.email,
      admin.secret as string,
      await awayFromStepEdge(),
    );
  });
  afterAll(async () => {
    await world?.close();
  });

  const mailsOf = (address: string, subject: RegExp) =>
    world.sink.to(address).filter((mail) => subject.test(mail.parsed.subject ?? ''));
  const outboundRows = async (userId: string, template: string): Promise<number> => {
    const [row] = await world.t.dataSource.query<{ count: string }[]>(
      'SELECT count(*) FROM outbound_mails WHERE user_id = $1 AND template = $2',
      [userId, template],
    );
    return Number(row.count);
  };
  const detail = async (id: string) =>
    (
      await world.t.http
        .get(`/api/recovery/requests/${id}`)
        .set(...bearer(agent.token))
        .expect(200)
    ).body as { risk: Record<string, unknown> | null; status: string; reason: string | null };
  const lostPhone = () => `Hej! Jag har tappat telefonen. Kortet slutar på ${clinic.last4}.`;

  it('records a report once: cancels the request, ends sessions, freezes recovery, tells admins and agents', async () => {
    const member = await makeMember(world, clinic);
    const session = await signInWithTotp(
      world.t.http,
      member.email,
      member.secret as string,
      await awayFromStepEdge(),
    );
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const requestId = sent.requestId as string;
    expect((await requestRow(world.t.dataSource, requestId)).status).toBe('awaiting_approval');

    // the link comes from the mail as delivered over SMTP
    const [received] = await mailsTo(world.sink, member.email);
    const token = reportToken(received);
    expect(token.length).toBeGreaterThanOrEqual(40);

    // stored only as its hash: no column of any row holds the token
    const links = await world.t.dataSource.query<
      { token_hash: Buffer; event: string; request_id: string; expires_at: Date }[]
    >('SELECT * FROM security_report_links WHERE user_id = $1', [member.id]);
    expect(links).toHaveLength(1);
    expect(links[0].token_hash.equals(sha256(token))).toBe(true);
    expect(links[0]).toMatchObject({ event: 'recovery_received', request_id: requestId });
    const days = (links[0].expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const [{ dump }] = await world.t.dataSource.query<{ dump: string }[]>(
      `SELECT (SELECT coalesce(string_agg(l::text, ''), '') FROM security_report_links l)
           || (SELECT coalesce(string_agg(a::text, ''), '') FROM audit_events a) AS dump`,
    );
    expect(dump).not.toContain(token);
    // the sent mail's variables (which held the link) are wiped
    await eventually(async () => {
      const rows = await world.t.dataSource.query<{ vars: unknown }[]>(
        `SELECT vars FROM outbound_mails WHERE user_id = $1 AND template = 'recovery_received'`,
        [member.id],
      );
      return rows.every((row) => row.vars === null) || undefined;
    }, 'the sent mail to forget its link');

    // GET only shows what happened: nothing changes
    const page = await world.t.http.get(`/security/report/${token}`).expect(200);
    expect(page.text).toContain(
      'Support received a request to reset your two-factor authentication',
    );
    expect(page.text).toContain(member.email);
    expect((await requestRow(world.t.dataSource, requestId)).status).toBe('awaiting_approval');

    const before = Date.now();
    const reported = await world.t.http.post('/api/security/report').send({ token }).expect(200);
    expect(reported.body).toEqual({ status: 'reported', frozenUntil: expect.any(String) });
    const frozenUntil = Date.parse((reported.body as { frozenUntil: string }).frozenUntil);
    expect(frozenUntil).toBeGreaterThanOrEqual(before + 7 * 86_400_000 - 1000);
    expect(frozenUntil).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000 + 1000);

    // once
    const again = await world.t.http.post('/api/security/report').send({ token }).expect(409);
    expectErrorShape(again.body, 409);
    expect((again.body as { code: string }).code).toBe('report_link_used');
    const usedPage = await world.t.http.get(`/security/report/${token}`).expect(200);
    expect(usedPage.text).toContain('This link was already used');
    expect(usedPage.text).not.toContain('id="report-button"');
    const [{ count: reportCount }] = await world.t.dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM audit_events WHERE action = 'security.reported' AND target_user_id = $1`,
      [member.id],
    );
    expect(Number(reportCount)).toBe(1);

    // the open request is cancelled, the session is over
    expect((await requestRow(world.t.dataSource, requestId)).status).toBe('cancelled');
    await world.t.http
      .get('/api/me')
      .set(...bearer(session))
      .expect(401);
    const [event] = await world.t.dataSource.query<
      { actor_type: string; data: Record<string, unknown> }[]
    >(
      `SELECT actor_type, data FROM audit_events WHERE action = 'security.reported' AND target_user_id = $1`,
      [member.id],
    );
    expect(event.actor_type).toBe('mailbox');
    expect(event.data).toMatchObject({
      event: 'recovery_received',
      cancelledRequestIds: [requestId],
      sessionsRevoked: 1,
    });

    // the owner and the admin are mailed at once, each in their language
    const ownerNotice = await eventually(
      () =>
        mailsOf(owner.email, /reported a two-factor authentication change/).find((mail) =>
          (mail.parsed.text ?? '').includes(member.email),
        ),
      'the owner to be told',
    );
    expect(ownerNotice.parsed.text).toContain('/users#recovery-requests');
    await eventually(
      () =>
        mailsOf(admin.email, /har anmält en ändring av tvåfaktorsautentisering/).some((m) =>
          (m.parsed.text ?? '').includes(member.email),
        ) || undefined,
      'the admin to be told',
    );

    // agents see the report on the request, counted as it is shown
    expect((await detail(requestId)).risk).toMatchObject({ reportsLast30Days: 1 });

    // recovery mail during the freeze: rejected, never answered, the admins told of each attempt
    const noticesBefore = await outboundRows(admin.id, 'recovery_frozen_notice');
    const repliesBefore = await world.t.dataSource.query<{ id: string }[]>(
      'SELECT id FROM outbound_mails WHERE user_id = $1',
      [member.id],
    );
    const frozenIds: string[] = [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const frozen = await sendRecoveryMail(world, clinic, member.email, lostPhone());
      const row = await requestRow(world.t.dataSource, frozen.requestId as string);
      expect(row).toMatchObject({
        status: 'rejected',
        reason: 'account_frozen',
        user_id: member.id,
      });
      frozenIds.push(frozen.requestId as string);
    }
    expect(await outboundRows(admin.id, 'recovery_frozen_notice')).toBe(noticesBefore + 2);
    expect(await outboundRows(owner.id, 'recovery_frozen_notice')).toBeGreaterThanOrEqual(2);
    const repliesAfter = await world.t.dataSource.query<{ id: string }[]>(
      'SELECT id FROM outbound_mails WHERE user_id = $1',
      [member.id],
    );
    expect(repliesAfter).toHaveLength(repliesBefore.length);
    await eventually(
      () => mailsOf(owner.email, /recovery refused for/).length >= 2 || undefined,
      'two refusal notices to the owner over SMTP',
    );
    // the member's mailbox got nothing more than the one "received" mail
    await sleep(500);
    expect(world.sink.to(member.email)).toHaveLength(1);
    // agents see the report on the rejected requests too
    for (const id of frozenIds) {
      const shown = await detail(id);
      expect(shown).toMatchObject({ status: 'rejected', reason: 'account_frozen' });
      expect(shown.risk).toEqual({ reportsLast30Days: 1 });
    }

    // the freeze ends after REPORT_FREEZE_DAYS: move the report 8 days into the past
    await world.t.dataSource.query(
      `UPDATE security_report_links
       SET reported_at = reported_at - interval '8 days', frozen_until = frozen_until - interval '8 days'
       WHERE user_id = $1`,
      [member.id],
    );
    const after = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    expect((await requestRow(world.t.dataSource, after.requestId as string)).status).toBe(
      'awaiting_approval',
    );
    expect((await detail(after.requestId as string)).risk).toMatchObject({
      reportsLast30Days: 1,
      requestsLast30Days: expect.any(Number),
    });
    // and the count covers 30 days, read when shown
    await world.t.dataSource.query(
      `UPDATE security_report_links SET reported_at = reported_at - interval '23 days' WHERE user_id = $1`,
      [member.id],
    );
    expect((await detail(after.requestId as string)).risk).toMatchObject({ reportsLast30Days: 0 });
  });

  it('records one report when the same link is posted several times at once', async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const [received] = await mailsTo(world.sink, member.email);
    const token = reportToken(received);
    const noticesBefore = await outboundRows(owner.id, 'security_reported_notice');

    // six clicks (or a prefetching mail scanner and the holder) racing each other
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => world.t.http.post('/api/security/report').send({ token })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.status === 409)) {
      expect((answer.body as { code: string }).code).toBe('report_link_used');
    }
    const [{ count }] = await world.t.dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM audit_events WHERE action = 'security.reported' AND target_user_id = $1`,
      [member.id],
    );
    expect(Number(count)).toBe(1);
    expect(await outboundRows(owner.id, 'security_reported_notice')).toBe(noticesBefore + 1);
    expect((await requestRow(world.t.dataSource, sent.requestId as string)).status).toBe(
      'cancelled',
    );
  });

  it('refuses unknown, expired and malformed tokens with their own codes', async () => {
    const unknown = await world.t.http
      .post('/api/security/report')
      .send({ token: randomBytes(32).toString('base64url') })
      .expect(404);
    expect((unknown.body as { code: string }).code).toBe('report_link_invalid');
    await world.t.http.get(`/security/report/${randomBytes(32).toString('base64url')}`).expect(404);
    const short = await world.t.http
      .post('/api/security/report')
      .send({ token: 'abc' })
      .expect(400);
    expect((short.body as { code: string }).code).toBe('invalid_input');
    await world.t.http.post('/api/security/report').send({}).expect(400);

    const member = await makeMember(world, clinic);
    await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const token = reportToken((await mailsTo(world.sink, member.email))[0]);
    await world.t.dataSource.query(
      `UPDATE security_report_links SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
      [member.id],
    );
    const expired = await world.t.http.post('/api/security/report').send({ token }).expect(410);
    expectErrorShape(expired.body, 410);
    expect((expired.body as { code: string }).code).toBe('report_link_expired');
    const page = await world.t.http.get(`/security/report/${token}`).expect(410);
    expect(page.text).toContain('This link has expired');
    // nothing was recorded
    const [{ count }] = await world.t.dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM security_report_links WHERE user_id = $1 AND reported_at IS NOT NULL`,
      [member.id],
    );
    expect(Number(count)).toBe(0);
  });

  it('the page posts the report with its CSRF token, and without one changes nothing', async () => {
    const member = await makeMember(world, clinic);
    await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const token = reportToken((await mailsTo(world.sink, member.email))[0]);
    const browser = request.agent(world.t.httpUrl); // keeps cookies like a browser
    await browser.post(`/security/report/${token}`).type('form').send({}).expect(403);
    const page = await browser.get(`/security/report/${token}`).expect(200);
    const posted = await browser
      .post(`/security/report/${token}`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) })
      .expect(303);
    expect(posted.headers.location).toMatch(/^\/security\/reported\?until=/);
    const done = await browser.get(posted.headers.location).expect(200);
    expect(done.text).toContain('your report was recorded');
    const [{ count }] = await world.t.dataSource.query<{ count: string }[]>(
      `SELECT count(*) FROM security_report_links WHERE user_id = $1 AND reported_at IS NOT NULL`,
      [member.id],
    );
    expect(Number(count)).toBe(1);
  });

  it('puts a report link in the reset-by-admin, enabled and approved mails', async () => {
    const member = await makeMember(world, clinic);
    await world.t.http
      .post(`/api/org/users/${member.id}/2fa/reset`)
      .set(...bearer(adminToken))
      .send({ code: totpAt(admin.secret as string, currentStep() + 1) })
      .expect(200);
    const reset = await eventually(
      () => mailsOf(member.email, /has been reset/).at(0),
      'the reset mail',
    );
    const resetToken = reportToken(reset);
    // the member sets up 2FA again: the "now on" mail carries its own link
    const { secret } = await enrollAtSignIn(world.t.http, member.email);
    const enabled = await eventually(
      () => mailsOf(member.email, /is now on/).at(0),
      'the enabled mail',
    );
    const enabledToken = reportToken(enabled);
    // a recovery approved and run: the "reset" mail carries one too
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    await world.t.http
      .post(`/api/recovery/requests/${sent.requestId}/approve`)
      .set(...bearer(agent.token))
      .send({})
      .expect(200);
    const approved = await eventually(
      () =>
        world.sink
          .to(member.email)
          .find((mail) => /approved and two-factor/.test(mail.parsed.text ?? '')),
      'the approved mail',
    );
    const approvedToken = reportToken(approved);
    expect(secret).toBeDefined();

    const events = await world.t.dataSource.query<{ token_hash: Buffer; event: string }[]>(
      'SELECT token_hash, event FROM security_report_links WHERE user_id = $1',
      [member.id],
    );
    const eventOf = (token: string) =>
      events.find((row) => row.token_hash.equals(sha256(token)))?.event;
    expect(eventOf(resetToken)).toBe('two_factor_reset_by_admin');
    expect(eventOf(enabledToken)).toBe('two_factor_enabled');
    expect(eventOf(approvedToken)).toBe('recovery_approved');
    const page = await world.t.http
      .get(`/security/report/${resetToken}`)
      .set('Accept-Language', 'sv-SE,sv;q=0.9')
      .expect(200);
    expect(page.text).toContain('En administratör återställde din tvåfaktorsautentisering');
    expect(page.text).toContain('Det var inte jag');
  });

  it("lists only the own organization's requests, without evidence, and cancels only those", async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const id = sent.requestId as string;
    const listed = await world.t.http
      .get('/api/org/recovery-requests?status=awaiting_approval')
      .set(...bearer(adminToken))
      .expect(200);
    const body = listed.body as { items: Record<string, unknown>[]; total: number };
    const item = body.items.find((entry) => entry.id === id);
    expect(item).toEqual({
      id,
      user: { id: member.id, name: 'Test practitioner', email: member.email },
      status: 'awaiting_approval',
      receivedAt: expect.any(String),
      decidedAt: null,
      executesAt: null,
    });
    expect(body.items.every((entry) => entry.status === 'awaiting_approval')).toBe(true);
    expect(JSON.stringify(body)).not.toContain(clinic.last4);
    expect(body.total).toBeGreaterThanOrEqual(1);

    // the admins' notice mail points to the page that lists it
    const notice = await eventually(
      () =>
        world.sink
          .to(admin.email)
          .find(
            (mail) =>
              /Begäran om att återställa/.test(mail.parsed.subject ?? '') &&
              (mail.parsed.text ?? '').includes(member.email),
          ),
      'the notice to the admin',
    );
    expect(notice.parsed.text).toContain('/users#recovery-requests');
    expect(notice.parsed.text).not.toContain('skriva till oss på support@');

    // another organization sees none of it and cannot cancel it
    const other = await makeClinic(world);
    const stranger = await makeMember(world, other, 'owner');
    const strangerToken = await signInWithTotp(
      world.t.http,
      stranger.email,
      stranger.secret as string,
      await awayFromStepEdge(),
    );
    const theirs = await world.t.http
      .get('/api/org/recovery-requests')
      .set(...bearer(strangerToken))
      .expect(200);
    expect(theirs.body).toMatchObject({ items: [], total: 0 });
    await world.t.http
      .post(`/api/org/recovery-requests/${id}/cancel`)
      .set(...bearer(strangerToken))
      .expect(404);
    // a practitioner and an agent may not list
    const practitioner = await makeMember(world, clinic, 'practitioner', { twoFactor: false });
    await world.t.http
      .get('/api/org/recovery-requests')
      .set(...bearer(await signIn(world.t.http, practitioner.email)))
      .expect(403);
    await world.t.http
      .get('/api/org/recovery-requests')
      .set(...bearer(agent.token))
      .expect(403);
    await world.t.http
      .get('/api/org/recovery-requests?status=nope')
      .set(...bearer(adminToken))
      .expect(400);

    await world.t.http
      .post(`/api/org/recovery-requests/${id}/cancel`)
      .set(...bearer(adminToken))
      .expect(200, { status: 'cancelled' });
    const cancelled = await world.t.http
      .get('/api/org/recovery-requests?status=cancelled')
      .set(...bearer(adminToken))
      .expect(200);
    const row = (
      cancelled.body as { items: { id: string; decidedAt: string | null }[] }
    ).items.find((entry) => entry.id === id);
    expect(row?.decidedAt).toEqual(expect.any(String));
  });

  it('documents the new routes with their 4xx answers in OpenAPI', async () => {
    const doc = (await world.t.http.get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths['/api/security/report'].post.responses).sort()).toEqual(
      ['200', '400', '404', '409', '410', '413', '415'].sort(),
    );
    expect(Object.keys(doc.paths['/api/org/recovery-requests'].get.responses).sort()).toEqual(
      ['200', '400', '401', '403'].sort(),
    );
  });
});
