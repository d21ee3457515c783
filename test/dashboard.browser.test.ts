/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core): sign-in and the
 * overview with and without JavaScript, the client taking over the server's HTML, and WCAG 2.1
 * A/AA checked by axe in the light and the dark theme. Screenshots of each page go to
 * docs/screenshots/ for a reviewer who does not run anything.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_TEST_TIMEOUT_MS,
  chromiumNote,
  expectAccessible,
  hasChromium,
  hydrated,
  pageErrors,
  signIn as signInAs,
  openBrowserSuite,
  type BrowserSuite,
} from './browser.ts';
import { createUser, type TestApp, type TestUser } from './helpers.ts';

describe.skipIf(!hasChromium)(`the dashboard in Chromium${chromiumNote}`, { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let suite: BrowserSuite;
  let base: string;
  let user: TestUser;

  beforeAll(async () => {
    suite = await openBrowserSuite({ startHealthChecks: true });
    ({ t, base } = suite);
    user = await createUser(t.app, { role: 'owner' });
  }, 60_000);
  afterAll(async () => {
    await suite?.close();
  });

  const page = (options: BrowserContextOptions = {}) => suite.newPage(options);

  const signIn = (p: Page) => signInAs(p, base, user);

  it('signs in through the form and shows every component; the client takes over the page', async () => {
    const p = await page();
    const errors = pageErrors(p);
    await signIn(p);
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await p.getByRole('row').count()).toBeGreaterThan(3);
    expect(await p.locator('.banner').count()).toBe(1);
    // Hydrated: the theme switch appears only once the client runs, and it works.
    const theme = p.getByLabel('Theme');
    await theme.waitFor({ state: 'visible' });
    await theme.selectOption('dark');
    expect(await p.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    // Remembered, and rendered by the server in it: no flash of the other theme on the next page.
    expect(await (await p.request.get('/')).text()).toContain('<html lang="en" data-theme="dark">');
    expect(errors).toEqual([]); // no hydration mismatch, no CSP refusal
    await p.context().close();
  });

  it('shows a failing panel’s boundary with a retry while the rest of the page works, and reports the error to the server', async () => {
    const reported = async () => (await t.app.metrics.getSingleMetric('watchkeeper_client_errors_total')?.get())?.values[0]?.value ?? 0;
    const before = await reported();
    // Requests the service worker handles bypass page.route: this test intercepts the network.
    const p = await page({ serviceWorkers: 'block' });
    await signIn(p);
    await hydrated(p);
    // The server's next report has an entry the components table cannot show (a time that is not a string).
    await p.route('**/health/status', async (route) => {
      const answer = await route.fetch();
      const body = (await answer.json()) as { checks: Record<string, { time: unknown }[]> };
      Object.values(body.checks)[0]![0]!.time = 12345;
      await route.fulfill({ response: answer, json: body });
    });
    const report = p.waitForRequest((request) => request.url().endsWith('/api/client-errors'));
    await p.evaluate('document.dispatchEvent(new Event("visibilitychange"))'); // the overview refetches, as on focus
    const failed = p.getByRole('alert').filter({ hasText: 'This panel failed to show' });
    await failed.waitFor();
    expect(await p.locator('.banner').count()).toBe(1); // the rest of the page still works
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    await expectAccessible(p, 'overview-panel-failed');
    const sent = JSON.parse((await report).postData() ?? '{}') as { panel?: string; componentStack?: string };
    expect(sent.panel).toBe('Components');
    // Minified names; the served source maps read them back.
    expect(sent.componentStack).toMatch(/overview\.page-[\w-]+\.js/);
    await expect.poll(reported).toBe(before + 1);
    // Fixed at the source, Retry fetches again and the panel comes back.
    await p.unroute('**/health/status');
    await p.getByRole('button', { name: 'Retry' }).click();
    await p.getByRole('table', { name: 'Every component and its latest check' }).waitFor();
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
        ['accessibility', () => p.goto('/accessibility').then(() => undefined)],
      ];
      for (const [name, visit] of pages) {
        await visit();
        await hydrated(p);
        await expectAccessible(p, `${name}-${colorScheme}`);
      }
      await p.context().close();
    });
  }

  it('moves focus from the skip link to the page, by keyboard alone', async () => {
    const p = await page();
    await signIn(p);
    await hydrated(p);
    await p.keyboard.press('Tab');
    expect(await p.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await p.keyboard.press('Enter');
    expect(await p.evaluate('document.activeElement?.id')).toBe('main');
    await p.context().close();
  });
});
