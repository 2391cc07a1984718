import { hasStandaloneDigits } from '../helpers/assertions';
import { RecoveryDecisionService } from '../../src/recovery/approval/recovery-decision.service';
import { expectNoOutboundMail } from '../helpers/inbound-mail';
import {
  Clinic,
  makeAgent,
  makeClinic,
  makeMember,
  mailsTo,
  RecoveryWorld,
  requestRow,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';
import { bearer, loginChallenge } from '../helpers/two-factor';

/**
 * The recovery pipeline (docs/architecture.md) end to end: real SMTP in (DKIM-signed, DNS answered by the test's own server), real
 * PostgreSQL and Redis, real SMTP sink out.
 */
describe('support-mediated recovery', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;
  let agentA: { id: string; token: string };
  let agentB: { id: string; token: string };

  beforeAll(async () => {
    world = await startRecoveryWorld();
    clinic = await makeClinic(world);
    agentA = await makeAgent(world);
    agentB = await makeAgent(world);
  });
  afterAll(async () => {
    await world.close();
  });

  const agent = (who: { token: string }) => ({
    get: (path: string) => world.t.http.get(path).set(...bearer(who.token)),
    post: (path: string, body: object = {}) =>
      world.t.http
        .post(path)
        .set(...bearer(who.token))
        .send(body),
  });

  it('walks a practitioner from e-mail to approval to forced re-enrollment', async () => {
    const owner = await makeMember(world, clinic, 'owner', { locale: 'sv' });
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(
      world,
      clinic,
      member.email,
      `Hej! Jag har tappat min telefon. Kortet slutar på ${clinic.last4}.\n\nVänliga hälsningar`,
    );
    expect(sent.state).toBe('processed');
    expect(sent.requestId).not.toBeNull();
    const id = sent.requestId as string;

    const detail = await agent(agentA).get(`/api/recovery/requests/${id}`).expect(200);
    expect(detail.body).toMatchObject({
      id,
      status: 'awaiting_approval',
      reason: null,
      sender: member.email,
      userId: member.id,
      organizationId: clinic.organizationId,
      checks: {
        senderAuth: { result: 'pass' },
        senderMatch: 'matched',
        factors: { last4: 'matched', holderName: 'not_matched', studentId: 'not_applicable' },
      },
      approvals: [],
      approvalsRequired: 1,
      risk: { targetRole: 'practitioner', localAdminsWith2fa: 1, requestsLast30Days: 0 },
    });
    // the agent sees that last4 matched, never the digits
    expect(hasStandaloneDigits(JSON.stringify(detail.body), clinic.last4)).toBe(false);
    expect(detail.body.bodyExcerpt).toContain('tappat min telefon');

    // the mailbox owner is told at once, with a cancel link, threaded, marked auto-replied
    const [received] = await mailsTo(world.sink, member.email);
    expect(received.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(received.parsed.inReplyTo).toBe(sent.messageId);
    expect(received.parsed.text).toMatch(/\/recovery\/cancel\/[A-Za-z0-9_-]{20,}/);
    // and so is the organization's owner, in Swedish
    const [notice] = await mailsTo(world.sink, owner.email);
    expect(notice.parsed.text).toContain(member.email);

    const approved = await agent(agentA).post(`/api/recovery/requests/${id}/approve`).expect(200);
    expect(approved.body).toMatchObject({ approvals: 1, approvalsRequired: 1 });
    expect(['approved', 'completed']).toContain(approved.body.status);

    await waitForStatus(id, 'completed');
    const [done] = await mailsTo(world.sink, member.email, 2).then((m) => m.slice(1));
    expect(done.parsed.inReplyTo).toBe(sent.messageId);
    // the next sign-in asks for a new authenticator
    await loginChallenge(world.t.http, member.email, 'enroll');

    for (const mail of world.sink.messages) {
      expect(hasStandaloneDigits(mail.raw.toString(), clinic.last4)).toBe(false);
    }
    await agent(agentB).post(`/api/recovery/requests/${id}/approve`).expect(409);
  });

  it('needs two different agents for an owner or admin', async () => {
    const admin = await makeMember(world, clinic, 'admin');
    const sent = await sendRecoveryMail(
      world,
      clinic,
      admin.email,
      `Lost my phone. The card holder is ${clinic.holderName}.`,
    );
    const id = sent.requestId as string;
    const first = await agent(agentA).post(`/api/recovery/requests/${id}/approve`).expect(200);
    expect(first.body).toEqual({ status: 'awaiting_approval', approvals: 1, approvalsRequired: 2 });
    // the same agent cannot give the second approval
    await agent(agentA).post(`/api/recovery/requests/${id}/approve`).expect(409);
    const second = await agent(agentB)
      .post(`/api/recovery/requests/${id}/approve`, { note: 'called the clinic' })
      .expect(200);
    expect(second.body).toMatchObject({ approvals: 2, approvalsRequired: 2 });
    await waitForStatus(id, 'completed');
    const detail = await agent(agentA).get(`/api/recovery/requests/${id}`).expect(200);
    expect(detail.body.approvals.map((a: { agentId: string }) => a.agentId)).toEqual([
      agentA.id,
      agentB.id,
    ]);
  });

  it('denies with the agent reason sent to the requester', async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, `Card ${clinic.last4}`);
    const id = sent.requestId as string;
    await agent(agentA)
      .post(`/api/recovery/requests/${id}/deny`, { reason: 'Please ask your clinic admin first.' })
      .expect(200, { status: 'denied' });
    const mails = await mailsTo(world.sink, member.email, 2);
    expect(mails[1].parsed.text).toContain('Please ask your clinic admin first.');
    await agent(agentB).post(`/api/recovery/requests/${id}/approve`).expect(409);
    await agent(agentB).post(`/api/recovery/requests/${id}/deny`, { reason: 'x' }).expect(409);
    expect((await requestRow(world.t.dataSource, id)).status).toBe('denied');
  });

  it('lets the mailbox owner cancel with the single-use link', async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, `slutar på ${clinic.last4}`);
    const id = sent.requestId as string;
    const [received] = await mailsTo(world.sink, member.email);
    const token = /\/recovery\/cancel\/([A-Za-z0-9_-]+)/.exec(received.parsed.text ?? '')?.[1];
    expect(token).toBeDefined();
    await world.t.http.post('/api/recovery/cancel').send({ token }).expect(200, {
      status: 'cancelled',
    });
    await world.t.http.post('/api/recovery/cancel').send({ token }).expect(404);
    await agent(agentA).post(`/api/recovery/requests/${id}/approve`).expect(409);
    // the factor was never touched: sign-in still asks for a code
    await loginChallenge(world.t.http, member.email, 'totp');
  });

  it('refuses a second request while one is open, then expires the first', async () => {
    const member = await makeMember(world, clinic);
    const first = await sendRecoveryMail(world, clinic, member.email, `Kort ${clinic.last4}`);
    const second = await sendRecoveryMail(world, clinic, member.email, `Kort ${clinic.last4}`);
    expect((await requestRow(world.t.dataSource, second.requestId as string)).reason).toBe(
      'duplicate_request',
    );
    await world.t.dataSource.query(
      `UPDATE recovery_requests SET expires_at = now() - interval '1 minute' WHERE id = $1`,
      [first.requestId],
    );
    // the scheduler's job calls exactly this
    expect(await world.t.app.get(RecoveryDecisionService).expireDue()).toBeGreaterThanOrEqual(1);
    expect((await requestRow(world.t.dataSource, first.requestId as string)).status).toBe(
      'expired',
    );
    await agent(agentA).post(`/api/recovery/requests/${first.requestId}/approve`).expect(409);
  });

  it('rejects weak or missing evidence, says not which, and rate-limits after 3 failures', async () => {
    const member = await makeMember(world, clinic);
    const wrong = clinic.last4 === '1111' ? '2222' : '1111';
    const bodies = [
      'I lost my phone, please help.', // no_evidence
      `My card ends with ${wrong}.`, // evidence_mismatch
      '1234 5678 9012 3456 7890', // ambiguous_evidence (more than 3 groups)
      `My card ends with ${clinic.last4}.`, // now right, but rate_limited
    ];
    const reasons: string[] = [];
    for (const body of bodies) {
      const sent = await sendRecoveryMail(world, clinic, member.email, body);
      reasons.push(
        (await requestRow(world.t.dataSource, sent.requestId as string)).reason as string,
      );
    }
    expect(reasons).toEqual([
      'no_evidence',
      'evidence_mismatch',
      'ambiguous_evidence',
      'rate_limited',
    ]);
    const replies = await mailsTo(world.sink, member.email, 4);
    const texts = replies.map((mail) => mail.parsed.text ?? '');
    // every reply is the very same "more information" mail: nothing tells which check failed
    expect(new Set(replies.map((mail) => mail.parsed.subject)).size).toBe(1);
    expect(new Set(texts).size).toBe(1);
    expect(hasStandaloneDigits(texts[0], clinic.last4)).toBe(false);
    expect(hasStandaloneDigits(texts[0], wrong)).toBe(false);
  });

  it('ignores evidence hidden in HTML or quoted from an earlier message', async () => {
    const htmlMember = await makeMember(world, clinic);
    const hidden = await sendRecoveryMail(
      world,
      clinic,
      htmlMember.email,
      `<html><body><p>I lost my phone.</p><div style="display:none">Card ${clinic.last4}</div>` +
        `<p style="font-size:0">${clinic.holderName}</p></body></html>`,
      { html: true },
    );
    expect((await requestRow(world.t.dataSource, hidden.requestId as string)).reason).toBe(
      'no_evidence',
    );
    const quoteMember = await makeMember(world, clinic);
    const quoted = await sendRecoveryMail(
      world,
      clinic,
      quoteMember.email,
      `Please help, I lost my phone.\n\nOn Mon, 24 Nov 2025 at 10:00, Support wrote:\n` +
        `> Your card ends with ${clinic.last4} and the holder is ${clinic.holderName}.\n`,
    );
    expect((await requestRow(world.t.dataSource, quoted.requestId as string)).reason).toBe(
      'no_evidence',
    );
  });

  it('counts cancelled requests towards the daily limit, so probing costs an attempt', async () => {
    const member = await makeMember(world, clinic);
    for (let i = 0; i < 3; i += 1) {
      await sendRecoveryMail(world, clinic, member.email, `Kort ${clinic.last4}`);
      const mails = await mailsTo(world.sink, member.email, i + 1);
      const token = /\/recovery\/cancel\/([A-Za-z0-9_-]+)/.exec(mails[i].parsed.text ?? '')?.[1];
      await world.t.http.post('/api/recovery/cancel').send({ token }).expect(200);
    }
    const fourth = await sendRecoveryMail(world, clinic, member.email, `Kort ${clinic.last4}`);
    expect((await requestRow(world.t.dataSource, fourth.requestId as string)).reason).toBe(
      'rate_limited',
    );
  });

  it('never approves a request past its expiry, even before the sweeper ran', async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, `Kort ${clinic.last4}`);
    const id = sent.requestId as string;
    await world.t.dataSource.query(
      `UPDATE recovery_requests SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    await agent(agentA).post(`/api/recovery/requests/${id}/approve`).expect(409);
    expect((await requestRow(world.t.dataSource, id)).status).toBe('expired');
  });

  it('answers nobody it cannot trust: forged, unknown, ambiguous senders', async () => {
    const member = await makeMember(world, clinic);
    // no DKIM, and the envelope comes from a domain without SPF: DMARC fails
    const forged = await sendRecoveryMail(world, clinic, member.email, `Card ${clinic.last4}`, {
      sign: false,
      envelopeFrom: `attacker@evil-${Date.now()}.test`,
    });
    expect((await requestRow(world.t.dataSource, forged.requestId as string)).reason).toBe(
      'sender_not_authenticated',
    );
    const stranger = `nobody-${Date.now()}@${clinic.domain}`;
    const unknown = await sendRecoveryMail(world, clinic, stranger, `Card ${clinic.last4}`);
    expect((await requestRow(world.t.dataSource, unknown.requestId as string)).reason).toBe(
      'unknown_sender',
    );
    const other = await makeMember(world, clinic);
    // authenticated for the clinic's domain, but which mailbox is it? (an address in the name)
    const ambiguous = await sendRecoveryMail(world, clinic, member.email, `Card ${clinic.last4}`, {
      fromHeader: `"${other.email}" <${member.email}>`,
    });
    expect((await requestRow(world.t.dataSource, ambiguous.requestId as string)).reason).toBe(
      'ambiguous_sender',
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await expectNoOutboundMail(world.t.dataSource, '', [member.email, stranger, other.email]);
    expect(world.sink.to(member.email)).toEqual([]);
  });

  it('answers a user without active 2FA with an auto-reply', async () => {
    const member = await makeMember(world, clinic, 'practitioner', { twoFactor: false });
    const sent = await sendRecoveryMail(world, clinic, member.email, `Card ${clinic.last4}`);
    expect((await requestRow(world.t.dataSource, sent.requestId as string)).reason).toBe(
      'no_active_2fa',
    );
    const [reply] = await mailsTo(world.sink, member.email);
    expect(reply.parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('gives one decision when two agents approve at once, and resets once', async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, `Card ${clinic.last4}`);
    const id = sent.requestId as string;
    const results = await Promise.all([
      agent(agentA).post(`/api/recovery/requests/${id}/approve`),
      agent(agentB).post(`/api/recovery/requests/${id}/approve`),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    await waitForStatus(id, 'completed');
    // run the reset job again, as a retried job would: nothing happens twice
    expect(await world.t.app.get(RecoveryDecisionService).executeReset(id)).toBe('skipped');
    const resets = await world.t.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'two_factor.reset' AND target_user_id = $1`,
      [member.id],
    );
    expect(resets[0].n).toBe(1);
  });

  it('lists requests for agents only, newest first, filtered by status', async () => {
    const list = await agent(agentA).get('/api/recovery/requests?status=completed').expect(200);
    expect(list.body.total).toBeGreaterThanOrEqual(2);
    expect(list.body.items.every((r: { status: string }) => r.status === 'completed')).toBe(true);
    const times = list.body.items.map((r: { receivedAt: string }) => r.receivedAt);
    expect([...times].sort().reverse()).toEqual(times);
    await agent(agentA).get('/api/recovery/requests?status=nonsense').expect(400);
    const member = await makeMember(world, clinic);
    const memberToken = await (async () => {
      const db = world.t.dataSource;
      await db.query('DELETE FROM two_factor_factors WHERE user_id = $1', [member.id]);
      const response = await world.t.http
        .post('/api/auth/login')
        .send({ email: member.email, password: member.password })
        .expect(200);
      return response.body.accessToken as string;
    })();
    await world.t.http
      .get('/api/recovery/requests')
      .set(...bearer(memberToken))
      .expect(403);
  });

  async function waitForStatus(id: string, status: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const row = await requestRow(world.t.dataSource, id);
      if (row.status === status) return;
      if (Date.now() > deadline) throw new Error(`request ${id} is ${String(row.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});
