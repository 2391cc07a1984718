/**
 * The pages of a person's own two-factor authentication, in Debian's Chromium: enabling it by
 * scanning the QR code on screen (a screenshot decoded by zbarimg) and typing an oathtool code,
 * signing in with a code and with a recovery code, and the messages next to the fields.
 */
import type { Browser } from 'playwright-core';
import { makeUser } from '../helpers/factories';
import {
  clickAndWait,
  computedStyle,
  focused,
  launchChromium,
  newPerson,
  readQrFromScreen,
  secretOf,
  submitPassword,
  textOf,
} from '../helpers/browser';
import { startTestApp, TestApp } from '../helpers/test-app';
import { auditActions, awayFromStepEdge, totpAt } from '../helpers/two-factor';

describe('web: own two-factor authentication', () => {
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

  it('enables 2FA from a QR code read off the screen, then signs in with a code and a recovery code', async () => {
    const user = await makeUser(t.dataSource, { role: 'practitioner', name: 'Elsa Lind' });
    const person = await newPerson(browser, t.httpUrl as string);
    const { page } = person;

    // no 2FA yet: the password alone signs in, and / leads to the settings
    await page.goto('/login');
    await person.screenshot('sign-in');
    await submitPassword(page, user.email, user.password);
    await page.waitForURL('**/settings');
    expect(await textOf(page.locator('#two-factor-status'))).toBe('Off');
    await person.screenshot('settings-2fa-off');

    await clickAndWait(
      page,
      page.getByRole('button', { name: 'Enable two-factor authentication' }),
    );
    expect(await page.getByRole('heading', { name: 'Scan the QR code' }).isVisible()).toBe(true);
    await person.screenshot('settings-2fa-qr');
    const uri = await readQrFromScreen(page.locator('#qr-code'), 'qr-code-element');
    expect(uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    const secret = secretOf(uri);
    // the same secret is printed for typing in by hand (grouped by four)
    const shown = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
    expect(shown).toBe(secret);

    // a malformed code is refused next to the field, and the page keeps the enrollment going
    const step = await awayFromStepEdge(8);
    await page.getByLabel('Code from the app').fill('12ab');
    await clickAndWait(
      page,
      page.getByRole('button', { name: 'Enable two-factor authentication' }),
    );
    const fieldError = page.locator('#f-code-error');
    expect(await textOf(fieldError)).toBe('Enter the 6 digits your authenticator app shows.');
    expect(await page.locator('#f-code').getAttribute('aria-invalid')).toBe('true');
    await person.screenshot('settings-2fa-code-error');

    await page.getByLabel('Code from the app').fill(totpAt(secret, step - 1));
    await clickAndWait(
      page,
      page.getByRole('button', { name: 'Enable two-factor authentication' }),
    );
    expect(await page.getByRole('heading', { name: 'Save your recovery codes' }).isVisible()).toBe(
      true,
    );
    const codes = await page.locator('#recovery-codes code').allInnerTexts();
    expect(codes).toHaveLength(10);
    const download = await page.locator('#download-codes').getAttribute('href');
    expect(download).toMatch(/^data:text\/plain;charset=utf-8,/);
    for (const code of codes) expect(decodeURIComponent(download as string)).toContain(code);
    await person.screenshot('settings-2fa-recovery-codes');

    await clickAndWait(page, page.getByRole('link', { name: "I've saved them" }));
    expect(await textOf(page.locator('#two-factor-status'))).toBe('On');
    expect(await textOf(page.locator('#recovery-codes-left'))).toBe('10');
    await person.screenshot('settings-2fa-on');

    // sign out, then in again: now the code step comes after the password
    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
    await page.waitForURL('**/login?signedout=1');
    await submitPassword(page, user.email, user.password);
    await page.waitForURL('**/login/code');
    await page.getByLabel('Code from the app').fill('000000');
    await clickAndWait(page, page.getByRole('button', { name: 'Verify' }));
    expect(await textOf(page.locator('#f-code-error'))).toContain('That code is not valid');
    await person.screenshot('sign-in-code-error');
    await page.getByLabel('Code from the app').fill(totpAt(secret, step));
    await clickAndWait(page, page.getByRole('button', { name: 'Verify' }));
    await page.waitForURL('**/settings');
    expect(await textOf(page.locator('#two-factor-status'))).toBe('On');

    // and with a recovery code instead of the app
    await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
    await submitPassword(page, user.email, user.password);
    await page.waitForURL('**/login/code');
    await person.screenshot('sign-in-code');
    await clickAndWait(page, page.getByRole('link', { name: 'Use a recovery code instead' }));
    await person.screenshot('sign-in-recovery-code');
    await page.getByLabel('Recovery code').fill(codes[3]);
    await clickAndWait(page, page.getByRole('button', { name: 'Verify' }));
    await page.waitForURL('**/settings');
    expect(await textOf(page.locator('#recovery-codes-left'))).toBe('9');

    const actions = await auditActions(t.dataSource, user.id);
    expect(actions).toEqual(
      expect.arrayContaining(['two_factor.enabled', 'auth.signed_in', 'auth.signed_out']),
    );
    expect(person.problems).toEqual([]);
  });

  it('works from the keyboard alone, styled by its stylesheet under the CSP', async () => {
    const user = await makeUser(t.dataSource);
    const person = await newPerson(browser, t.httpUrl as string);
    const { page } = person;
    await page.goto('/login');
    // the stylesheet loaded (style-src 'self'): the header has the brand colour
    expect(await computedStyle(page, '.site-header', 'background-color')).toBe('rgb(10, 69, 89)');
    // the e-mail field has the focus on arrival; Tab moves on, Enter submits
    await page.keyboard.type(user.email);
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('f-password');
    await page.keyboard.type(user.password);
    const navigated = page.waitForURL('**/settings');
    await page.keyboard.press('Enter');
    await navigated;
    // the first Tab reaches the skip link, which leads to the content
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('main');
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('enable-2fa');
    expect(person.problems).toEqual([]);
  });

  it('regenerates recovery codes with a current code; a wrong one is refused next to its field', async () => {
    const user = await makeUser(t.dataSource, { role: 'admin', locale: 'sv' });
    const person = await newPerson(browser, t.httpUrl as string, { locale: 'sv-SE' });
    const { page } = person;
    await submitPassword(page, user.email, user.password);
    await page.waitForURL('**/settings');
    // the user's locale is Swedish: the article's own words
    await clickAndWait(
      page,
      page.getByRole('button', { name: 'Aktivera tvåfaktorsautentisering' }),
    );
    const secret = secretOf(await readQrFromScreen(page.locator('#qr-code'), 'qr-code-sv'));
    await person.screenshot('settings-2fa-qr-sv');
    const step = await awayFromStepEdge(8);
    await page.getByLabel('Kod från appen').fill(totpAt(secret, step - 1));
    await clickAndWait(
      page,
      page.getByRole('button', { name: 'Aktivera tvåfaktorsautentisering' }),
    );
    const first = await page.locator('#recovery-codes code').allInnerTexts();
    await clickAndWait(page, page.getByRole('link', { name: 'Jag har sparat dem' }));
    await person.screenshot('settings-2fa-on-sv');

    const regenerate = page.locator('form[action="/settings/2fa/recovery-codes"]');
    await regenerate.getByLabel('Nuvarande kod från appen').fill('123');
    await clickAndWait(page, regenerate.getByRole('button'));
    expect(await textOf(page.locator('#f-regenerate-code-error'))).toBe(
      'Ange de 6 siffror som din autentiseringsapp visar.',
    );
    await regenerate.getByLabel('Nuvarande kod från appen').fill(totpAt(secret, step));
    await clickAndWait(page, regenerate.getByRole('button'));
    expect(
      await page.getByRole('heading', { name: 'Dina nya återställningskoder' }).isVisible(),
    ).toBe(true);
    const second = await page.locator('#recovery-codes code').allInnerTexts();
    expect(second).toHaveLength(10);
    expect(second.some((code) => first.includes(code))).toBe(false);

    // switch the language with the link; the choice sticks in a cookie
    await page.goto('/settings');
    await clickAndWait(page, page.getByRole('link', { name: 'English' }));
    await page.waitForURL('**/settings');
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Two-factor authentication');
    expect(person.problems).toEqual([]);
  });
});
