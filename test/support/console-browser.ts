import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it): no browser is downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, nothing fetched from the network by the browser itself. Playwright gives each launch
 * a fresh temporary profile (`--user-data-dir`), removed when the browser closes.
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** What a page did that the console must never do: a request elsewhere, a CSP refusal, an error. */
export interface Watched {
  page: Page;
  context: BrowserContext;
  requests: string[];
  problems: string[];
}

/** A new tab in its own context (its own sessionStorage), in UTC and English, watched. */
export async function openConsole(
  browser: Browser,
  appUrl: string,
  viewport = DESKTOP,
): Promise<Watched> {
  const context = await browser.newContext({ viewport, timezoneId: 'UTC', locale: 'en-US' });
  const page = await context.newPage();
  const origin = new URL(appUrl).origin;
  const watched: Watched = { page, context, requests: [], problems: [] };
  page.on('request', (r) => {
    watched.requests.push(r.url());
    if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith('data:')) {
      watched.problems.push(`request to another origin: ${r.url()}`);
    }
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) {
      watched.problems.push(`console error: ${m.text()}`);
    }
    if (/Content Security Policy/i.test(m.text())) watched.problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => watched.problems.push(`page error: ${e.message}`));
  page.setDefaultTimeout(20_000);
  await page.goto(`${appUrl}/ui/`);
  return watched;
}

export async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('Token or API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
}

/** Goes to a view by its fragment, as a link or a bookmark does, and waits for its heading. */
export async function visit(page: Page, fragment: string, heading: string | RegExp): Promise<void> {
  await page.evaluate(`window.location.hash = ${JSON.stringify(fragment)}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core run in the page (evaluated by the test driver, which the page's CSP does not govern):
 * the serious and critical violations, each as `rule: target`.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const results = (await page.evaluate('axe.run(document)')) as AxeResults;
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

interface AxeResults {
  violations: { id: string; impact?: string; nodes: { target: string[] }[] }[];
}

/** Polls until the locator's text matches, within a deadline that holds on a loaded machine. */
export async function waitForText(
  locator: Locator,
  expected: string | RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = (await locator.textContent().catch(() => null)) ?? '';
    if (typeof expected === 'string' ? text.includes(expected) : expected.test(text)) return text;
    if (Date.now() > deadline)
      throw new Error(`expected ${String(expected)}, still "${text}" after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const FOCUSED_NAME = `(() => {
  const el = document.activeElement;
  return ((el && (el.getAttribute('aria-label') || el.textContent)) || '').trim();
})()`;

/** The accessible names of the controls Tab reaches, in order, from the top of the page. */
export async function tabOrder(page: Page, presses = 80): Promise<string[]> {
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  const names: string[] = [];
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    names.push(String(await page.evaluate(FOCUSED_NAME)));
  }
  return names;
}

/**
 * A screenshot of the page. With UPDATE_SCREENSHOTS=1 it replaces docs/console/<name>.png (the
 * pictures the README shows); otherwise it goes to a temp folder, so a test run changes no file.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir =
    process.env.UPDATE_SCREENSHOTS === '1'
      ? join(__dirname, '..', '..', 'docs', 'console')
      : join(tmpdir(), 'minion-console-screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true, animations: 'disabled' });
}
