/**
 * The users page in Debian's Chromium: an owner signs in with an oathtool code, resets a member's
 * 2FA token with a fresh code of their own (step-up), sees the result; the member is then made to
 * scan a new QR code (read off the screen) at sign-in. And roles: a practitioner gets the HTML
 * 403 page for the agent console and the users page.
 */
import type { Browser } from 'playwright-core';
import {
  clickAndWait,
  launchChromium,
  newPerson,
  Person,
  readQrFromScreen,
  secretOf,
  submitPassword,
  textOf,
} from '../helpers/browser';
import { makeOrganization, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { auditActions, awayFromStepEdge, makeActiveFactor, totpAt } from '../helpers/two-factor';

describe('web: users page and admin reset', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signInWithCode(person: Person, email: string, password: string, code: string) {
    await submitPassword(person.page, email, password);
    expect(new URL(person.page.url()).pathname).toBe('/login/code');
    await person.page.getByLabel('Code from the app').fill(code);
    await clickAndWait(person.page, person.page.getByRole('button', { name: 'Verify' }));
  }

  it('an owner resets a member with their own code; the member scans a new QR code at sign-in', async () => {
    const organization = await makeOrganization(t.dataSource, { name: 'Klinik Norr' });
    const owner = await makeUser(t.dataSource, {
      organizationId: organization.id,
      role: 'owner',
      name: 'Åsa Öberg',
    });
    const member = await makeUser(t.dataSource, {
      organizationId: organization.id,
      role: 'practitioner',
      name: 'Nils Holm',
    });
    const ownerSecret = (await makeActiveFactor(t.dataSource, owner.id)).secret;
    const memberSecret = (await makeActiveFactor(t.dataSource, member.id)).secret;

    const admin = await newPerson(browser, t.httpUrl as string);
    const step = await awayFromStepEdge(10);
    await signInWithCode(admin, owner.email, owner.password, totpAt(ownerSecret, step - 1));
    expect(new URL(admin.page.url()).pathname).toBe('/settings');

    await clickAndWait(admin.page, admin.page.getByRole('link', { name: 'Users' }));
    await admin.screenshot('users');
    const row = admin.page.locator('tr', { hasText: member.email });
    expect(await textOf(row.locator('.badge'))).toBe('On');
    await clickAndWait(admin.page, row.getByRole('link', { name: 'Nils Holm' }));
    expect(await textOf(admin.page.locator('#target-status'))).toBe('On');
    await admin.screenshot('user-page');

    // the admin's own code is asked for: a malformed one, then a wrong one, are refused in place
    const codeField = admin.page.getByLabel('Your own code from your authenticator app');
    const reset = admin.page.getByRole('button', { name: 'Reset 2FA token' });
    await codeField.fill('abc');
    await clickAndWait(admin.page, reset);
    expect(await textOf(admin.page.locator('#f-code-error'))).toBe(
      'Enter the 6 digits your authenticator app shows.',
    );
    await codeField.fill(totpAt(memberSecret, step));
    await clickAndWait(admin.page, reset);
    expect(await textOf(admin.page.locator('#f-code-error'))).toContain('That code is not valid');
    await admin.screenshot('user-page-step-up-error');
    expect(await textOf(admin.page.locator('#target-status'))).toBe('On');

    await codeField.fill(totpAt(ownerSecret, step));
    await clickAndWait(admin.page, reset);
    expect(new URL(admin.page.url()).search).toBe('?done=reset');
    const result = await textOf(admin.page.locator('#reset-result'));
    expect(result).toContain('Done. The 2FA token of Nils Holm was reset');
    expect(result).toContain('Next time this user signs in, they are asked to scan a QR code');
    expect(await textOf(admin.page.locator('#target-status'))).toBe('Reset: set up again');
    await admin.screenshot('user-page-reset-done');
    expect(await auditActions(t.dataSource, member.id)).toContain('two_factor.reset');

    // the member: password, then the forced enrollment with a new QR code
    const person = await newPerson(browser, t.httpUrl as string);
    await submitPassword(person.page, member.email, member.password);
    expect(new URL(person.page.url()).pathname).toBe('/login/enroll');
    await person.screenshot('sign-in-enroll');
    await clickAndWait(person.page, person.page.getByRole('button', { name: 'Show the QR code' }));
    await person.screenshot('sign-in-enroll-qr');
    const secret = secretOf(await readQrFromScreen(person.page.locator('#qr-code'), 'qr-enroll'));
    expect(secret).not.toBe(memberSecret);
    await person.page.getByLabel('Code from the app').fill(totpAt(secret, step));
    await clickAndWait(
      person.page,
      person.page.getByRole('button', { name: 'Enable two-factor authentication' }),
    );
    expect(await person.page.locator('#recovery-codes code').count()).toBe(10);
    await clickAndWait(person.page, person.page.getByRole('link', { name: "I've saved them" }));
    expect(new URL(person.page.url()).pathname).toBe('/settings');
    expect(await textOf(person.page.locator('#two-factor-status'))).toBe('On');

    expect(admin.problems).toEqual([]);
    expect(person.problems).toEqual([]);
  });

  it('shows the 403 page to a practitioner opening the agent console or the users page', async () => {
    const user = await makeUser(t.dataSource, { role: 'practitioner' });
    const person = await newPerson(browser, t.httpUrl as string);
    await submitPassword(person.page, user.email, user.password);

    const agentConsole = await person.page.goto('/agent/requests');
    expect(agentConsole?.status()).toBe(403);
    expect(agentConsole?.headers()['content-type']).toMatch(/^text\/html/);
    expect(await textOf(person.page.getByRole('heading', { level: 1 }))).toBe('Not allowed');
    await person.screenshot('forbidden-agent-console');

    const users = await person.page.goto('/users');
    expect(users?.status()).toBe(403);
    // still signed in: the header offers the pages this role may use
    expect(await person.page.getByRole('link', { name: 'Users' }).count()).toBe(0);
    expect(await person.page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    expect(person.problems).toEqual([]);
  });

  it('sends a browser without a session to the sign-in page instead of a JSON 401', async () => {
    const person = await newPerson(browser, t.httpUrl as string);
    for (const path of ['/settings', '/users', '/agent/requests', '/']) {
      const response = await person.page.goto(path);
      expect(new URL(person.page.url()).pathname).toBe('/login');
      expect(response?.status()).toBe(200);
    }
  });
});
