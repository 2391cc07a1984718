/**
 * In Chromium: the account holder clicks the "this wasn't me" link of a mail as delivered over
 * SMTP and the freeze takes effect; an organization admin cancels a member's approved recovery
 * (waiting out RECOVERY_DELAY_MINUTES) from the users page.
 */
import type { Browser } from 'playwright-core';
import {
  clickAndWait,
  launchChromium,
  newPerson,
  submitCode,
  submitPassword,
  textOf,
} from '../helpers/browser';
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
import { bearer, currentStep, totpAt } from '../helpers/two-factor';

describe('web: "this wasn\'t me" and the recovery requests on the users page', () => {
  let world: RecoveryWorld;
  let clinic: Clinic;
  let browser: Browser;

  beforeAll(async () => {
    world = await startRecoveryWorld({ RECOVERY_DELAY_MINUTES: '60' });
    clinic = await makeClinic(world);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  const lostPhone = () => `Hej! Jag har tappat telefonen. Kortet slutar på ${clinic.last4}.`;

  it('the link from the delivered mail records the report, and the next recovery mail is refused', async () => {
    const member = await makeMember(world, clinic);
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const [mail] = await mailsTo(world.sink, member.email);
    const link = /https?:\/\/\S+\/security\/report\/[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? '');
    if (link === null) throw new Error('no report link in the delivered mail');

    const holder = await newPerson(browser, world.t.httpUrl as string);
    await holder.page.goto(new URL(link[0]).pathname);
    expect(await textOf(holder.page.getByRole('heading', { level: 1 }))).toBe("This wasn't me");
    expect(await textOf(holder.page.locator('#report-event'))).toBe(
      'Support received a request to reset your two-factor authentication',
    );
    await holder.screenshot('security-report');
    await clickAndWait(holder.page, holder.page.getByRole('button', { name: "This wasn't me" }));
    expect(await textOf(holder.page.getByRole('heading', { level: 1 }))).toContain(
      'your report was recorded',
    );
    expect(await textOf(holder.page.locator('#report-done'))).toMatch(/until \d+ \w+ \d{4}/);
    await holder.screenshot('security-reported');
    expect(holder.problems).toEqual([]);

    expect((await requestRow(world.t.dataSource, sent.requestId as string)).status).toBe(
      'cancelled',
    );
    const next = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    expect(await requestRow(world.t.dataSource, next.requestId as string)).toMatchObject({
      status: 'rejected',
      reason: 'account_frozen',
    });

    // the link opened again shows it was used, with no button
    await holder.page.goto(new URL(link[0]).pathname);
    expect(await textOf(holder.page.locator('#report-state'))).toContain('already used');
    expect(await holder.page.getByRole('button', { name: "This wasn't me" }).count()).toBe(0);
  });

  it('an admin cancels an approved request during its delay from the users page', async () => {
    const admin = await makeMember(world, clinic, 'admin');
    const owner = await makeMember(world, clinic, 'owner');
    const member = await makeMember(world, clinic);
    const agent = await makeAgent(world);
    const sent = await sendRecoveryMail(world, clinic, member.email, lostPhone());
    const id = sent.requestId as string;
    await world.t.http
      .post(`/api/recovery/requests/${id}/approve`)
      .set(...bearer(agent.token))
      .send({})
      .expect(200);
    const ownerSent = await sendRecoveryMail(world, clinic, owner.email, lostPhone());

    const person = await newPerson(browser, world.t.httpUrl as string);
    await submitPassword(person.page, admin.email, admin.password);
    await submitCode(person.page, totpAt(admin.secret as string, currentStep()));
    await person.page.goto('/users');
    const section = person.page.locator('#recovery-requests');
    expect(await textOf(section.getByRole('heading', { level: 2 }))).toBe('Recovery requests');
    const row = section.locator(`tr[data-request-id="${id}"]`);
    const columns = await row.locator('td').allInnerTexts();
    expect(columns[0]).toContain(member.email);
    expect(columns[1].trim()).toBe('Approved');
    expect(columns[4].trim()).not.toBe('—'); // when the reset runs
    // an admin never acts on the owner: no Cancel on the owner's request
    const ownerRow = section.locator(`tr[data-request-id="${ownerSent.requestId}"]`);
    expect(await ownerRow.getByRole('button').count()).toBe(0);
    await person.screenshot('users-recovery-requests');

    await clickAndWait(
      person.page,
      row.getByRole('button', { name: /Cancel the recovery request/ }),
    );
    expect(await textOf(person.page.locator('#cancel-result'))).toContain(
      'The recovery request was cancelled',
    );
    expect(await textOf(section.locator(`tr[data-request-id="${id}"] .badge`))).toBe('Cancelled');
    expect(await section.locator(`tr[data-request-id="${id}"]`).getByRole('button').count()).toBe(
      0,
    );
    expect(await requestRow(world.t.dataSource, id)).toMatchObject({
      status: 'cancelled',
      decided_by: admin.id,
    });
    expect(person.problems).toEqual([]);
  });
});
