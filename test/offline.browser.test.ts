/**
 * The dashboard offline, in a real browser: the service worker keeps the pages opened before and
 * their data; offline, a page shows that copy under an "offline since …" banner; a page never
 * opened says it has no copy; signing out empties the copies.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_TEST_TIMEOUT_MS, chromiumNote, expectAccessible, hasChromium, hydrated, launchBrowser, signIn } from './browser.ts';
import { buildTestApp, createUser, login, type TestApp, type TestUser } from './helpers.ts';

describe.skipIf(!hasChromium)(`the dashboard offline, in Chromium${chromiumNote}`, { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let user: TestUser;

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' }, startHealthChecks: true });
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    user = await createUser(t.app, { role: 'owner' });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Signed in, with the service worker installed and in control of the page. */
  async function controlledPage(): Promise<Page> {
    const p = await (await browser.newContext({ baseURL: base })).newPage();
    await signIn(p, base, user);
    // Page code (as a string: the tests compile without the DOM's types).
    await p.evaluate(`(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve));
    })()`);
    return p;
  }

  const cacheNames = (p: Page) => p.evaluate<string[]>('caches.keys()');

  it('shows a page opened before, with its data, under an offline banner', async () => {
    const p = await controlledPage();
    await p.reload(); // through the worker now: this copy is kept
    await hydrated(p);
    const rows = await p.getByRole('row').count();
    expect(rows).toBeGreaterThan(3);

    await p.context().setOffline(true);
    await p.reload();
    await hydrated(p);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await p.getByRole('row').count()).toBe(rows);
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'Offline since' }).count()).toBe(1);
    await expectAccessible(p, 'overview-offline');

    await p.goto('/never-opened-before');
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('You are offline');

    await p.context().setOffline(false);
    await p.goto('/');
    await hydrated(p);
    await expect.poll(() => p.getByText('Offline since').count()).toBe(0);
    await p.context().close();
  });

  it('queues "Check now" while offline and delivers it when back online', async () => {
    const headers = (await login(t.app, user)).headers;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/services',
      headers,
      payload: { name: 'queued-check', type: 'tcp', host: '127.0.0.1', port: 9 },
    });
    expect(created.statusCode).toBe(201);
    const checks = async () =>
      Number(
        (
          await t.app.database.db
            .selectFrom('audit_log')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('action', '=', 'health.test')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await checks();
    const p = await controlledPage();
    await p.goto('/services/queued-check');
    await hydrated(p);

    await p.context().setOffline(true);
    await p.getByRole('button', { name: 'Check now' }).click();
    const queue = p.getByRole('region', { name: 'Queued actions' });
    await expect.poll(() => queue.textContent()).toContain('waiting for the network');
    expect(await checks()).toBe(before); // nothing reached the server

    await p.context().setOffline(false);
    await expect.poll(() => queue.textContent(), { timeout: 20_000 }).toContain('Delivered');
    await expect.poll(checks).toBe(before + 1);
    await p.context().close();
  });

  it('empties its copies of the pages when the user signs out', async () => {
    const p = await controlledPage();
    await p.reload();
    await hydrated(p);
    expect(await cacheNames(p)).toContain('wk-pages-v1');
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.waitForURL(`${base}/sign-in`);
    await hydrated(p);
    await expect.poll(() => cacheNames(p)).not.toContain('wk-pages-v1');
    await p.context().close();
  });
});
