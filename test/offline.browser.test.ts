/**
 * The dashboard offline, in a real browser: the service worker keeps the pages opened before and
 * their data; offline, a page shows that copy under an "offline since …" banner; a page never
 * opened says it has no copy; an action queued offline is delivered when back online, or its
 * refusal shown; switching the project or signing out empties the copies.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_TEST_TIMEOUT_MS,
  chromiumNote,
  expectAccessible,
  hasChromium,
  hydrated,
  openBrowserSuite,
  serviceWorkerControlledPage,
  type BrowserSuite,
} from './browser.ts';
import { createOrganization, createUser, joinOrganization, login, type TestApp, type TestUser } from './helpers.ts';

describe.skipIf(!hasChromium)(`the dashboard offline, in Chromium${chromiumNote}`, { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
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

  const controlledPage = () => serviceWorkerControlledPage(suite, user);

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

  async function addService(name: string, scope: Record<string, string> = {}): Promise<void> {
    const headers = (await login(t.app, user)).headers;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/services',
      headers: { ...headers, ...scope },
      payload: { name, type: 'tcp', host: '127.0.0.1', port: 9 },
    });
    expect(created.statusCode).toBe(201);
  }

  it('queues "Check now" while offline and delivers it when back online', async () => {
    await addService('queued-check');
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
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'The queued check: Delivered' }).count()).toBe(1);
    await p.context().close();
  });

  it('shows the server’s refusal when a queued action can no longer be done', async () => {
    await addService('deleted-meanwhile');
    const p = await controlledPage();
    await p.goto('/services/deleted-meanwhile');
    await hydrated(p);

    await p.context().setOffline(true);
    await p.getByRole('button', { name: 'Check now' }).click();
    const queue = p.getByRole('region', { name: 'Queued actions' });
    await expect.poll(() => queue.textContent()).toContain('waiting for the network');
    // Meanwhile, someone else deletes the service.
    const deleted = await t.app.inject({ method: 'DELETE', url: '/api/services/deleted-meanwhile', headers: (await login(t.app, user)).headers });
    expect(deleted.statusCode).toBe(204);

    await p.context().setOffline(false);
    await expect.poll(() => queue.textContent(), { timeout: 20_000 }).toContain('Not done — the server refused it');
    expect(await queue.textContent()).toMatch(/deleted-meanwhile/);
    // The page's own line about it says so too, rather than still "queued".
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'The queued check: Not done' }).count()).toBe(1);
    await expectAccessible(p, 'service-queued-conflict');
    await p.context().close();
  });

  it('keeps no copy of one project’s pages once the user switched to another', async () => {
    const organization = await createOrganization(t.app);
    await joinOrganization(t.app, user.id, organization.id);
    await addService('only-here');
    await addService('only-elsewhere', { 'x-organization': organization.id, 'x-project': organization.projectId });
    const p = await controlledPage();
    await p.goto('/services/only-here'); // a page of this project, kept as it is opened
    await hydrated(p);
    await p.goto('/services');
    await hydrated(p);
    await p.getByRole('link', { name: 'only-here' }).waitFor();

    await p.getByLabel('Acting in').selectOption({ label: `${organization.slug} / Default` });
    await p.getByRole('button', { name: 'Switch' }).click();
    await p.waitForURL(`${base}/services`);
    await hydrated(p);
    await p.getByRole('link', { name: 'only-elsewhere' }).waitFor();
    // The copies of the earlier scope are gone, and this page is kept again in the new one.
    const kept = `(async () => { const cache = await caches.open('wk-pages-v1'); return (await Promise.all((await cache.keys()).map(async (request) => (await cache.match(request)).text()))).join(' '); })()`;
    await expect.poll(() => p.evaluate<string>(kept)).toContain('only-elsewhere');
    expect(await p.evaluate<string>(kept)).not.toContain('only-here');

    await p.context().setOffline(true);
    await p.reload();
    await hydrated(p);
    await p.getByRole('link', { name: 'only-elsewhere' }).waitFor();
    expect(await p.getByRole('link', { name: 'only-here' }).count()).toBe(0);
    // The earlier project's page is not shown from its copy.
    await p.goto('/services/only-here');
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('You are offline');
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
    await expect.poll(() => cacheNames(p), { timeout: 10_000 }).not.toContain('wk-pages-v1');
    await p.context().close();
  });
});
