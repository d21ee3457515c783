/**
 * What every browser test shares: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), signing in through the real form, axe's WCAG 2.1 A/AA check, and the
 * screenshots a reviewer reads in docs/screenshots/ without running anything.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildTestApp, isCI, type TestApp, type TestUser } from './helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];
export const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

export const hasChromium = existsSync(CHROMIUM);
if (isCI && !hasChromium) throw new Error(`${CHROMIUM} is missing: CI installs the chromium package (.ci/run)`);
/** The describe title's suffix: says why the suite skipped, outside CI. */
export const chromiumNote = hasChromium ? '' : ' (skipped: no /usr/bin/chromium; apt-get install -y chromium)';

/** A browser test drives many pages and runs axe on each: on a busy machine that can take a while. */
export const BROWSER_TEST_TIMEOUT_MS = 120_000;

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

export interface BrowserSuite {
  t: TestApp;
  /** The app's address on loopback, e.g. http://127.0.0.1:40123. */
  base: string;
  browser: Browser;
  /** A page in a context of its own (its own cookies and storage), addressed relative to `base`. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

/**
 * What a browser suite runs against: the app listening on a loopback port (the rate limits off:
 * a suite signs in more often than a person would) and Chromium.
 */
export async function openBrowserSuite(options: Parameters<typeof buildTestApp>[0] = {}): Promise<BrowserSuite> {
  const t = await buildTestApp({ ...options, env: { RATE_LIMIT_ENABLED: 'false', ...options.env } });
  try {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await launchBrowser();
    return {
      t,
      base,
      browser,
      newPage: async (contextOptions = {}) => (await browser.newContext({ baseURL: base, ...contextOptions })).newPage(),
      close: async () => {
        await browser.close();
        await t.close();
      },
    };
  } catch (error) {
    await t.close();
    throw error;
  }
}

/** Signs in through the sign-in form, from a page that sends the browser there. */
export async function signIn(p: Page, base: string, user: TestUser, from = '/'): Promise<void> {
  await p.goto(from);
  await expect.poll(() => p.url()).toMatch(new RegExp(`^${base}/sign-in`));
  await p.getByLabel('Email').fill(user.email);
  await p.getByLabel('Password').fill(user.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(`${base}${from}`);
}

/** The client has taken over the server's HTML (the theme switch exists only then). */
export async function hydrated(p: Page): Promise<void> {
  await p.getByLabel('Theme').waitFor({ state: 'visible' });
}

/** Zero WCAG 2.1 A/AA violations on the page as it is now, then its screenshot. */
export async function expectAccessible(p: Page, name: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(violations.map((v) => `${name}: ${v.id}: ${v.nodes.map((n: { target: unknown[] }) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await p.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Collects what the page reports as broken: script errors, console errors (CSP refusals). */
export function pageErrors(p: Page): string[] {
  const errors: string[] = [];
  p.on('pageerror', (error) => errors.push(error.message));
  p.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/**
 * Signed in, with the service worker installed and in control of the page. A page whose
 * navigation began while the worker was still activating is not claimed by it (the claim went to
 * the sign-in page, which was leaving): no controllerchange ever comes, so such a page is
 * reloaded, as the next navigation of a person would be.
 */
export async function serviceWorkerControlledPage(suite: BrowserSuite, user: TestUser, from = '/'): Promise<Page> {
  const p = await suite.newPage();
  await signIn(p, suite.base, user, from);
  // Page code (as a string: the tests compile without the DOM's types). A worker whose install
  // failed (its precache fetch did) never gets ready; the next page load registers it again.
  const controlled = `Promise.race([
    navigator.serviceWorker.ready.then(() => Boolean(navigator.serviceWorker.controller)),
    new Promise((resolve) => setTimeout(() => resolve(false), 15000)),
  ])`;
  for (let attempt = 0; attempt < 3 && !(await p.evaluate<boolean>(controlled)); attempt++) {
    await p.reload();
    await hydrated(p);
  }
  expect(await p.evaluate<boolean>(controlled), 'the service worker controls the page').toBe(true);
  return p;
}
