/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), for the web pages'
 * end-to-end tests: one browser per test file, one context (cookie jar) per person, screenshots
 * saved under test-artifacts/screenshots/, and every console error and failed request collected
 * so a test can assert that the pages work under the Content-Security-Policy.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-artifacts/screenshots');

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Playwright gives each launch a fresh, temporary user-data-dir (no profile is reused). */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  /** console errors (CSP violations are reported there), page errors, failed requests */
  problems: string[];
  screenshot(name: string): Promise<string>;
}

/** A person with their own cookies, browsing `baseURL`. */
export async function newPerson(
  browser: Browser,
  baseURL: string,
  options: { locale?: string } = {},
): Promise<Person> {
  const context = await browser.newContext({
    baseURL,
    locale: options.locale ?? 'en-GB',
    viewport: { width: 1200, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // a page answered 400/401/429 on purpose logs "Failed to load resource": sub-resources are
    // checked by their responses below instead; CSP violations ("Refused to …") stay problems
    if (message.text().startsWith('Failed to load resource')) return;
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type !== 'document' && response.status() >= 400) {
      problems.push(`${type} ${response.url()} answered ${response.status()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  return {
    context,
    page,
    problems,
    screenshot: async (name: string) => {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
  };
}

/**
 * Reads a QR code the way a phone would: a screenshot of the element as shown on screen,
 * decoded by zbarimg (Debian zbar-tools).
 */
export async function readQrFromScreen(element: Locator, name: string): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rd-qr-')), `${name}.png`);
  await element.screenshot({ path: file });
  await element.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
  return execFileSync('zbarimg', ['--nodbus', '--quiet', '--raw', file], {
    encoding: 'utf8',
  }).trim();
}

/** The base32 secret of an otpauth:// URI. */
export function secretOf(otpauthUri: string): string {
  const secret = new URL(otpauthUri).searchParams.get('secret');
  if (secret === null) throw new Error(`no secret in ${otpauthUri}`);
  return secret;
}

/** Signs in through the pages with e-mail and password (the next page depends on the user). */
export async function submitPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel(/e-mail|e-post/i).fill(email);
  await page.getByLabel(/^password$|^lösenord$/i).fill(password);
  await clickAndWait(page, page.getByRole('button', { name: /^sign in$|^logga in$/i }));
}

/** The code step of the sign-in pages, after submitPassword answered with it. */
export async function submitCode(page: Page, code: string): Promise<void> {
  await page.waitForURL('**/login/code');
  await page.getByLabel(/^code from the app$|^kod från appen$/i).fill(code);
  await clickAndWait(page, page.getByRole('button', { name: /^verify$|^verifiera$/i }));
}

/** Clicks something that navigates (a link, a form's button) and waits for the new page. */
export async function clickAndWait(page: Page, target: Locator): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await target.click();
  await navigated;
  await page.waitForLoadState('load');
}

/** The trimmed visible text of an element. */
export async function textOf(target: Locator): Promise<string> {
  return (await target.innerText()).trim();
}

/** The id and text of the focused element (run in the page; the tests compile without DOM types). */
export async function focused(page: Page): Promise<{ id: string; text: string }> {
  return page.evaluate(
    '({ id: document.activeElement?.id ?? "", text: (document.activeElement?.textContent ?? "").trim() })',
  );
}

/** A computed CSS property of the first element matching `selector`, as the browser applied it. */
export async function computedStyle(
  page: Page,
  selector: string,
  property: string,
): Promise<string> {
  return page.evaluate(
    `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(property)})`,
  );
}
