/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core): sign-in and the
 * overview with and without JavaScript, the client taking over the server's HTML, and WCAG 2.1
 * A/AA checked by axe in the light and the dark theme. Screenshots of each page go to
 * docs/screenshots/ for a reviewer who does not run anything.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createUser, isCI, type TestApp, type TestUser } from './helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
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
const SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');
const hasChromium = existsSync(CHROMIUM);
if (isCI && !hasChromium) throw new Error(`${CHROMIUM} is missing: CI installs the chromium package (.ci/run)`);

describe.skipIf(!hasChromium)(`the dashboard in Chromium${hasChromium ? '' : ' (skipped: no /usr/bin/chromium; apt-get install -y chromium)'}`, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let user: TestUser;

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' }, startHealthChecks: true });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    user = await createUser(t.app, { role: 'owner' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function page(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ baseURL: base, ...options });
    return context.newPage();
  }

  async function signIn(p: Page): Promise<void> {
    await p.goto('/');
    await expect.poll(() => p.url()).toBe(`${base}/sign-in`);
    await p.getByLabel('Email').fill(user.email);
    await p.getByLabel('Password').fill(user.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(`${base}/`);
  }

  it('signs in through the form and shows every component; the client takes over the page', async () => {
    const p = await page();
    const errors: string[] = [];
    p.on('pageerror', (error) => errors.push(error.message));
    p.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await signIn(p);
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await p.getByRole('row').count()).toBeGreaterThan(3);
    expect(await p.locator('.banner').count()).toBe(1);
    // Hydrated: the theme switch appears only once the client runs, and it works.
    const theme = p.getByLabel('Theme');
    await theme.waitFor({ state: 'visible' });
    await theme.selectOption('dark');
    expect(await p.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    expect(errors).toEqual([]); // no hydration mismatch, no CSP refusal
    await p.context().close();
  });

  it('works without JavaScript: a failed sign-in says why, then sign in, the overview, and sign out', async () => {
    const p = await page({ javaScriptEnabled: false });
    await p.goto('/sign-in');
    await p.getByLabel('Email').fill(user.email);
    await p.getByLabel('Password').fill('not the password at all');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(/\/sign-in\?failed=credentials$/);
    expect(await p.getByRole('alert').textContent()).toContain('do not match an account');
    await p.getByLabel('Email').fill(user.email);
    await p.getByLabel('Password').fill(user.password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(`${base}/`);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await p.getByRole('row').count()).toBeGreaterThan(3);
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.waitForURL(`${base}/sign-in`);
    await p.goto('/');
    await p.waitForURL(`${base}/sign-in`); // the session has ended
    await p.context().close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`meets WCAG 2.1 A and AA on every page in the ${colorScheme} theme (axe)`, async () => {
      const p = await page({ colorScheme, viewport: { width: 1280, height: 800 } });
      const pages: [string, () => Promise<void>][] = [
        ['sign-in', () => p.goto('/sign-in').then(() => undefined)],
        ['overview', () => signIn(p)],
      ];
      for (const [name, visit] of pages) {
        await visit();
        await p.getByLabel('Theme').waitFor({ state: 'visible' });
        const { violations } = await new AxeBuilder({ page: p }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        expect(violations.map((v) => `${name}: ${v.id}: ${v.nodes.map((n: { target: unknown[] }) => n.target.join(' ')).join(', ')}`)).toEqual([]);
        await p.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`), fullPage: true });
      }
      await p.context().close();
    });
  }

  it('moves focus from the skip link to the page, by keyboard alone', async () => {
    const p = await page();
    await signIn(p);
    await p.getByLabel('Theme').waitFor({ state: 'visible' });
    await p.keyboard.press('Tab');
    expect(await p.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await p.keyboard.press('Enter');
    expect(await p.evaluate('document.activeElement?.id')).toBe('main');
    await p.context().close();
  });
});
