/**
 * The Health pages in a real browser: every component with its status, uptime and timeline; one
 * component's latency chart (uPlot, drawn by the client) with its baseline and the same data as a
 * table; "Run check now" updating the page; the page without JavaScript; WCAG 2.1 A/AA by axe in
 * the light and the dark theme, with screenshots in docs/screenshots/.
 */
import type { BrowserContextOptions } from 'playwright-core';
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

describe.skipIf(!hasChromium)(`the Health pages in Chromium${chromiumNote}`, { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let suite: BrowserSuite;
  let base: string;
  let user: TestUser;

  beforeAll(async () => {
    suite = await openBrowserSuite({ startHealthChecks: true });
    ({ t, base } = suite);
    user = await createUser(t.app, { role: 'owner' });
    // Enough checks for the cache's latency baseline to form (its first checks leave the recent window).
    for (let i = 0; i < 15; i++) await t.app.health.runNow('cache');
    await t.app.healthHistory.recorder!.flush();
  }, 60_000);
  afterAll(async () => {
    await suite?.close();
  });

  const page = (options: BrowserContextOptions = {}) => suite.newPage(options);

  it('lists every component with its status in words, its uptime and a timeline, and leads to each one', async () => {
    const p = await page();
    const errors = pageErrors(p);
    await signInAs(p, base, user, '/components');
    await hydrated(p);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Health');
    expect(await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Health' }).getAttribute('aria-current')).toBe('page');
    const table = p.getByRole('table', { name: /Every component/ });
    const cache = table.getByRole('row').filter({ has: p.getByRole('rowheader', { name: 'cache' }) });
    expect(await cache.textContent()).toMatch(/Operational|Degraded|Failing/);
    expect(await cache.textContent()).toMatch(/\d[\d.]* %/);
    expect(await cache.getByRole('img', { name: /cache, last 24 hours: / }).count()).toBe(1);
    await cache.getByRole('link', { name: 'cache' }).click();
    await p.waitForURL(`${base}/components/cache`);
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe('cache');
    expect(await p.title()).toBe('cache · Health · Watchkeeper'); // named after the component, after a client-side navigation
    expect(errors).toEqual([]);
    await p.context().close();
  });

  it('draws the latency chart with its baseline, has the same data as a table, and runs a check now', async () => {
    const p = await page();
    const errors = pageErrors(p);
    await signInAs(p, base, user, '/components/cache');
    await hydrated(p);
    expect(await p.title()).toBe('cache · Health · Watchkeeper'); // and as the server rendered it
    // uPlot draws on a canvas once the client has loaded it.
    await p.locator('.latency-chart canvas').first().waitFor();
    expect(await p.getByRole('img', { name: /^Latency of cache over the last hour: .*baseline p95 [\d.]+ ms, slow above/ }).count()).toBe(1);
    const summary = p.locator('.chart-table summary');
    await summary.click();
    const table = p.getByRole('table', { name: /Checks of cache in the last hour, newest first, against a baseline p95/ });
    await table.waitFor();
    const rowsBefore = await table.locator('tbody tr').count();
    expect(rowsBefore).toBeGreaterThanOrEqual(15);

    const checkedBefore = await p.locator('.component-status time').getAttribute('datetime');
    await p.getByRole('button', { name: 'Run check now' }).click();
    const outcome = p.getByRole('status').filter({ hasText: /^Checked at .*: (operational|degraded|failing)\.$/ });
    await outcome.waitFor();
    // The page shows the new check's time.
    await expect.poll(() => p.locator('.component-status time').getAttribute('datetime')).not.toBe(checkedBefore);
    expect(errors).toEqual([]); // no CSP refusal from uPlot's styles, no hydration mismatch
    await p.context().close();
  });

  it('shows the state changes and the latency table without JavaScript', async () => {
    const signedIn = await page();
    await signInAs(signedIn, base, user, '/components/cache');
    const cookies = await signedIn.context().cookies();
    await signedIn.context().close();
    const p = await page({ javaScriptEnabled: false });
    await p.context().addCookies(cookies);
    await p.goto('/components/cache');
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('cache');
    expect(await p.getByRole('heading', { name: 'State changes' }).count()).toBe(1);
    expect(await p.getByRole('list', { name: 'State changes, newest first' }).getByRole('listitem').count()).toBeGreaterThanOrEqual(1);
    await p.locator('.chart-table summary').click();
    expect(
      await p
        .getByRole('table', { name: /Checks of cache in the last hour/ })
        .locator('tbody tr')
        .count(),
    ).toBeGreaterThanOrEqual(15);
    expect(await p.locator('.latency-chart canvas').count()).toBe(0);
    expect(await p.getByText('running one now needs JavaScript').count()).toBe(1);
    await p.context().close();
  });

  it('draws the chart without the cursor that follows the pointer when reduced motion is asked for', async () => {
    for (const [reducedMotion, cursors] of [
      ['no-preference', 1],
      ['reduce', 0],
    ] as const) {
      const p = await page({ reducedMotion });
      await signInAs(p, base, user, '/components/cache');
      await p.locator('.latency-chart canvas').first().waitFor();
      expect(await p.locator('.latency-chart .u-cursor-x').count()).toBe(cursors);
      await p.context().close();
    }
  }, 60_000); // two sign-ins

  it('answers a component it does not know with a 404 page', async () => {
    const p = await page();
    await signInAs(p, base, user, '/components');
    const response = await p.goto('/components/no-such-component');
    expect(response?.status()).toBe(404);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('This page could not be shown');
    await p.context().close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`meets WCAG 2.1 A and AA on both Health pages in the ${colorScheme} theme (axe)`, async () => {
      const p = await page({ colorScheme, viewport: { width: 1280, height: 800 } });
      const errors = pageErrors(p);
      await signInAs(p, base, user, '/components');
      await hydrated(p);
      await expectAccessible(p, `health-components-${colorScheme}`);
      await p.goto('/components/cache');
      await hydrated(p);
      await p.locator('.latency-chart canvas').first().waitFor();
      await p.locator('.chart-table summary').click();
      await expectAccessible(p, `health-component-${colorScheme}`);
      expect(errors).toEqual([]);
      await p.context().close();
    }, 60_000); // two pages, each checked by axe and photographed
  }
});
