import { hasStandaloneDigits } from '../helpers/assertions';
/**
 * The agent console and the cancel page in Debian's Chromium, over a real recovery world: DKIM-
 * signed requests arrive over real SMTP (a local DNS server answers SPF/DKIM/DMARC), the agent
 * approves one in the browser and watches it complete; the mailbox owner cancels another from
 * the link in the mail the SMTP sink caught.
 */
import type { Browser } from 'playwright-core';
import { SessionService } from '../../src/accounts/session.service';
import {
  clickAndWait,
  launchChromium,
  newPerson,
  Person,
  submitCode,
  submitPassword,
  textOf,
} from '../helpers/browser';
import { makeUser } from '../helpers/factories';
import {
  Clinic,
  makeClinic,
  makeMember,
  mailsTo,
  RecoveryWorld,
  requestRow,
  sendRecoveryMail,
  startRecoveryWorld,
} from '../helpers/recovery';
import { ageStepUp, currentStep, makeActiveFactor, sleep, totpAt } from '../helpers/two-factor';

describe('web: agent console and cancel page', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;
  let browser: Browser;
  let agent: Person;
  let agentUser: Awaited<ReturnType<typeof makeUser>>;
  let agentSecret: string;

  beforeAll(async () => {
    world = await startRecoveryWorld();
    clinic = await makeClinic(world);
    browser = await launchChromium();
    agentUser = await makeUser(world.t.dataSource, { role: 'agent', name: 'Sara Support' });
    agentSecret = (await makeActiveFactor(world.t.dataSource, agentUser.id)).secret;
    agent = await newPerson(browser, world.t.httpUrl as string);
    await submitPassword(agent.page, agentUser.email, agentUser.password);
    await submitCode(agent.page, totpAt(agentSecret, currentStep()));
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  /** The path of the cancel link in the "request received" mail to `email`. */
  async function cancelPath(email: string): Promise<string> {
    const [mail] = await mailsTo(world.sink, email);
    const link = /https?:\/\/\S+\/recovery\/cancel\/[A-Za-z0-9_-]+/.exec(
      mail.parsed.text ?? '',
    )?.[0];
    if (link === undefined) throw new Error(`no cancel link in the mail to ${email}`);
    return new URL(link).pathname;
  }

  const lostPhone = () =>
    `Hej! Jag har tappat min telefon. Kortet slutar på ${clinic.last4}.\n\nVänliga hälsningar`;

  async function statusOnPage(expected: string): Promise<void> {
    for (let attempt = 0; attempt < 60; attempt += 1) {
      if ((await textOf(agent.page.locator('#request-status'))) === expected) return;
      await sleep(250);
      await agent.page.reload();
    }
    throw new Error(`the request page never showed ${expected}`);
  }

  it('shows the queue oldest first; the agent approves a request that came by SMTP and sees it completed', async () => {
    const earlier = await makeMember(world, clinic);
    const member = await makeMember(world, clinic);
    await sendRecoveryMail(world, clinic, earlier.email, lostPhone());
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    expect(sent.state).toBe('processed');
    const id = sent.requestId as string;

    // signing in took the agent to the queue of requests waiting for approval
    await agent.page.goto('/');
    expect(new URL(agent.page.url()).pathname).toBe('/agent/requests');
    const waiting = Number(
      await textOf(agent.page.locator('.count[data-status="awaiting_approval"]')),
    );
    expect(waiting).toBeGreaterThanOrEqual(2);
    const times = await agent.page
      .locator('#requests time')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('datetime') ?? ''));
    expect(times).toEqual([...times].sort());
    const senders = await agent.page.locator('#requests tbody tr td:nth-child(2)').allInnerTexts();
    expect(senders.indexOf(earlier.email)).toBeLessThan(senders.indexOf(member.email));
    await agent.screenshot('agent-queue');

    // filter by sender
    await agent.page.getByLabel('Sender').fill(member.email.toUpperCase());
    await clickAndWait(agent.page, agent.page.getByRole('button', { name: 'Filter' }));
    expect(await agent.page.locator('#requests tbody tr').count()).toBe(1);
    await clickAndWait(agent.page, agent.page.getByRole('link', { name: member.email }));
    expect(new URL(agent.page.url()).pathname).toBe(`/agent/requests/${id}`);

    // the checks say what matched, never the billing values
    const checks = await textOf(agent.page.locator('#checks'));
    expect(checks).toMatch(/Last 4 digits\s+Matched/);
    expect(checks).toMatch(/Holder name\s+Not matched/);
    expect(checks).toMatch(/Sender authentication\s+Pass/);
    expect(await textOf(agent.page.locator('#excerpt'))).toContain('tappat min telefon');
    expect(hasStandaloneDigits(await agent.page.content(), clinic.last4)).toBe(false);
    await agent.screenshot('agent-request');

    // approving needs the confirmation box ticked
    await clickAndWait(
      agent.page,
      agent.page.getByRole('button', { name: 'Approve and reset 2FA' }),
    );
    expect(await textOf(agent.page.locator('#f-approve-confirm-error'))).toBe(
      'Tick the box to confirm.',
    );
    expect((await requestRow(world.t.dataSource, id)).status).toBe('awaiting_approval');
    await agent.screenshot('agent-request-confirm-error');

    await agent.page.getByLabel(/I have reviewed the checks/).check();
    await agent.page.getByLabel('Note (optional)').fill('Card digits matched; called the clinic.');
    await clickAndWait(
      agent.page,
      agent.page.getByRole('button', { name: 'Approve and reset 2FA' }),
    );
    expect(await textOf(agent.page.getByRole('status').first())).toBe(
      'Your approval was recorded.',
    );
    await statusOnPage('Completed');
    const history = await textOf(agent.page.locator('#history'));
    for (const action of [
      'recovery.approval_recorded',
      'recovery.approved',
      'recovery.completed',
    ]) {
      expect(history).toContain(action);
    }
    expect(history).toContain('Sara Support');
    await agent.screenshot('agent-request-completed');

    // the inbound messages, with their processing state and the request they produced
    await clickAndWait(agent.page, agent.page.getByRole('link', { name: 'Inbound mail' }));
    const row = agent.page.locator('#messages tr', {
      has: agent.page.locator(`a[href="/agent/requests/${id}"]`),
    });
    expect(await textOf(row.locator('.badge'))).toBe('Processed');
    // the request's status now, not the "Awaiting approval" it started with
    const columns = await row.locator('td').allInnerTexts();
    expect(columns[4].trim()).toBe('Completed');
    await agent.screenshot('agent-inbound');
    expect(agent.problems).toEqual([]);

    // the cancel link of the completed request says what happened, and offers nothing to cancel
    const cancelPage = await newPerson(browser, world.t.httpUrl as string);
    await cancelPage.page.goto(await cancelPath(member.email));
    expect(await textOf(cancelPage.page.getByRole('heading', { level: 1 }))).toBe(
      'Recovery request',
    );
    const said = await textOf(cancelPage.page.locator('main'));
    expect(said).toContain('This request is completed');
    expect(said).not.toMatch(/cancel it now|nothing left to cancel/i);
    expect(await cancelPage.page.getByRole('button', { name: 'Cancel the request' }).count()).toBe(
      0,
    );
    await cancelPage.screenshot('cancel-page-completed');
  });

  it('shows times in Swedish time with the zone named, exactly as the mails do', async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const { expires_at: expiresAt } = (await requestRow(
      world.t.dataSource,
      sent.requestId as string,
    )) as { expires_at: Date };
    await agent.page.goto(`/agent/requests/${sent.requestId as string}`);
    const shown = await textOf(
      agent.page.locator('.summary div', { hasText: 'Expires at' }).locator('dd'),
    );
    // the zone Stockholm is in at that moment, by the platform's own tables
    const zone = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Stockholm',
      timeZoneName: 'short',
    })
      .formatToParts(expiresAt)
      .find((part) => part.type === 'timeZoneName')?.value;
    expect(zone).toMatch(/^CES?T$/);
    expect(shown).toMatch(new RegExp(`\\d{2}:\\d{2} ${zone as string}$`));
    expect(shown).not.toContain('UTC');
    // the "request received" mail says the same moment in the same words
    const [mail] = await mailsTo(world.sink, member.email);
    expect(mail.parsed.text).toContain(`handled by ${shown},`);
  });

  it("needs two different agents for an owner's request: the first approval leaves it open", async () => {
    const owner = await makeMember(world, clinic, 'owner');
    const sent = await sendRecoveryMail(world, clinic, owner.email, lostPhone());
    const id = sent.requestId as string;
    const approve = async (who: Person) => {
      await who.page.goto(`/agent/requests/${id}`);
      await who.page.getByLabel(/I have reviewed the checks/).check();
      await clickAndWait(who.page, who.page.getByRole('button', { name: 'Approve and reset 2FA' }));
    };
    await approve(agent);
    expect(await textOf(agent.page.locator('#request-status'))).toBe('Awaiting approval');
    expect(await textOf(agent.page.locator('#approvals-heading'))).toContain('(1 of 2)');
    // the same agent cannot approve twice: the form is gone, and the page says why
    expect(await agent.page.getByRole('button', { name: 'Approve and reset 2FA' }).count()).toBe(0);
    expect(await agent.page.content()).toContain('A second, different agent must approve it.');
    await agent.screenshot('agent-request-second-approval-needed');

    const secondUser = await makeUser(world.t.dataSource, { role: 'agent', name: 'Olof Other' });
    const { secret } = await makeActiveFactor(world.t.dataSource, secondUser.id);
    const second = await newPerson(browser, world.t.httpUrl as string);
    await submitPassword(second.page, secondUser.email, secondUser.password);
    await submitCode(second.page, totpAt(secret, currentStep()));
    await approve(second);
    for (let attempt = 0; attempt < 60; attempt += 1) {
      if ((await requestRow(world.t.dataSource, id)).status === 'completed') break;
      await sleep(250);
    }
    await second.page.reload();
    expect(await textOf(second.page.locator('#request-status'))).toBe('Completed');
    expect(second.problems).toEqual([]);
  });

  it('denies with a reason; missing reason and confirmation are shown next to their fields', async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const id = sent.requestId as string;
    await agent.page.goto(`/agent/requests/${id}`);
    await clickAndWait(agent.page, agent.page.getByRole('button', { name: 'Deny request' }));
    expect(await textOf(agent.page.locator('#f-reason-error'))).toBe(
      'Give a reason (at most 2000 characters).',
    );
    expect(await textOf(agent.page.locator('#f-deny-confirm-error'))).toBe(
      'Tick the box to confirm.',
    );
    await agent.screenshot('agent-request-deny-errors');
    await agent.page
      .getByLabel('Reason (sent to the requester)')
      .fill('Please ask your clinic admin.');
    await agent.page.getByLabel('I want to deny this request.').check();
    await clickAndWait(agent.page, agent.page.getByRole('button', { name: 'Deny request' }));
    expect(await textOf(agent.page.locator('#request-status'))).toBe('Denied');
    expect((await requestRow(world.t.dataSource, id)).status).toBe('denied');
    expect(agent.problems).toEqual([]);

    // its cancel link, in Swedish: one statement, no button
    const owner = await newPerson(browser, world.t.httpUrl as string, { locale: 'sv-SE' });
    await owner.page.goto(await cancelPath(member.email));
    const said = await textOf(owner.page.locator('main'));
    expect(said).toContain(
      'Ärendet avslogs: ingenting har återställts. Det finns inget att avbryta.',
    );
    expect(said).not.toContain('avbryt nu');
    expect(await owner.page.locator('#cancel-request').count()).toBe(0);
  });

  it('asks for a code on the decision forms once the last one is older than 15 minutes', async () => {
    const user = await makeUser(world.t.dataSource, { role: 'agent', name: 'Stina Stale' });
    const { secret } = await makeActiveFactor(world.t.dataSource, user.id);
    const stale = await newPerson(browser, world.t.httpUrl as string);
    await submitPassword(stale.page, user.email, user.password);
    await submitCode(stale.page, totpAt(secret, currentStep()));
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const id = sent.requestId as string;

    // fresh from the sign-in code: no code asked
    await stale.page.goto(`/agent/requests/${id}`);
    expect(await stale.page.locator('#f-approve-code').count()).toBe(0);

    await ageStepUp(world.t.dataSource, user.id, 16);
    await stale.page.reload();
    expect(await stale.page.locator('#f-approve-code').count()).toBe(1);
    expect(await stale.page.locator('#f-deny-code').count()).toBe(1);
    expect(await textOf(stale.page.locator('#f-approve-code-hint'))).toContain('15 minutes');
    await stale.screenshot('agent-request-step-up');

    // no code: said next to the field, nothing decided
    const approveForm = stale.page.locator('form[action$="/approve"]');
    await approveForm.getByLabel(/I have reviewed the checks/).check();
    await clickAndWait(
      stale.page,
      stale.page.getByRole('button', { name: 'Approve and reset 2FA' }),
    );
    expect(await textOf(stale.page.locator('#f-approve-code-error'))).toBe(
      'Enter the code your authenticator app shows now to confirm it is you.',
    );
    // a wrong code: said the same way
    await stale.page.locator('#f-approve-code').fill('000000');
    await stale.page.getByLabel(/I have reviewed the checks/).check();
    await clickAndWait(
      stale.page,
      stale.page.getByRole('button', { name: 'Approve and reset 2FA' }),
    );
    expect(await textOf(stale.page.locator('#f-approve-code-error'))).toBe(
      'That code is not valid. Enter the code your app shows now.',
    );
    expect((await requestRow(world.t.dataSource, id)).status).toBe('awaiting_approval');
    await stale.screenshot('agent-request-step-up-error');

    // the right code approves
    await stale.page.locator('#f-approve-code').fill(totpAt(secret, currentStep() + 1));
    await stale.page.getByLabel(/I have reviewed the checks/).check();
    await clickAndWait(
      stale.page,
      stale.page.getByRole('button', { name: 'Approve and reset 2FA' }),
    );
    expect(await textOf(stale.page.getByRole('status').first())).toBe(
      'Your approval was recorded.',
    );
    expect(stale.problems).toEqual([]);
  });

  it('sends an agent without 2FA from the password to the enrollment, whatever any policy', async () => {
    const user = await makeUser(world.t.dataSource, { role: 'agent' });
    const person = await newPerson(browser, world.t.httpUrl as string);
    await submitPassword(person.page, user.email, user.password);
    expect(new URL(person.page.url()).pathname).toBe('/login/enroll');
    // and the console stays closed until then
    await person.page.goto('/agent/requests');
    expect(new URL(person.page.url()).pathname).toBe('/login');
  });

  it('sends a session of an agent without 2FA from the console to the settings, to turn it on', async () => {
    // a session from before agents needed 2FA (or whose factor went away since): made directly
    const user = await makeUser(world.t.dataSource, { role: 'agent' });
    const { accessToken } = await world.t.app.get(SessionService).create(user.id);
    const person = await newPerson(browser, world.t.httpUrl as string);
    await person.context.addCookies([
      { name: 'rd_session', value: accessToken, url: world.t.httpUrl },
    ]);
    for (const path of ['/agent/requests', '/agent/messages']) {
      await person.page.goto(path);
      expect(new URL(person.page.url()).pathname).toBe('/settings');
    }
  });

  it('lets the mailbox owner cancel from the e-mailed link, with one click after a GET that changes nothing', async () => {
    const member = await makeMember(world, clinic, 'practitioner', { locale: 'sv' });
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const id = sent.requestId as string;
    const [mail] = await mailsTo(world.sink, member.email);
    const link = /https?:\/\/\S+\/recovery\/cancel\/[A-Za-z0-9_-]+/.exec(
      mail.parsed.text ?? '',
    )?.[0];
    expect(link).toBeDefined();
    const path = new URL(link as string).pathname;

    const owner = await newPerson(browser, world.t.httpUrl as string, { locale: 'sv-SE' });
    const shown = await owner.page.goto(path);
    expect(shown?.status()).toBe(200);
    expect(await textOf(owner.page.getByRole('heading', { level: 1 }))).toBe(
      'Avbryt återställningsärendet',
    );
    expect(await textOf(owner.page.locator('.summary'))).toContain(member.email);
    await owner.screenshot('cancel-page');
    // opening the link (as a mail scanner would) cancelled nothing
    expect((await requestRow(world.t.dataSource, id)).status).toBe('awaiting_approval');

    await clickAndWait(owner.page, owner.page.getByRole('button', { name: 'Avbryt ärendet' }));
    expect(new URL(owner.page.url()).pathname).toBe('/recovery/cancelled');
    expect(await textOf(owner.page.getByRole('heading', { level: 1 }))).toContain(
      'Ärendet är avbrutet',
    );
    await owner.screenshot('cancel-done');
    expect((await requestRow(world.t.dataSource, id)).status).toBe('cancelled');

    // the link was single-use
    const again = await owner.page.goto(path);
    expect(again?.status()).toBe(404);
    expect(await textOf(owner.page.getByRole('alert'))).toContain('inte giltig');
    expect(owner.problems).toEqual([]);
  });
});
