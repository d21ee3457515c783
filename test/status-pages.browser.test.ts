/**
 * The public status page in a real browser: an admin enables it and writes an incident through
 * the editor; a visitor who is not signed in, with JavaScript off, reads the title, each
 * component with its 90-day strip and the incident at /status/<slug>, from a page any cache may
 * keep for 30 s. Both pages pass axe (WCAG 2.1 A/AA) in the light and the dark theme.
 */
import type { BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyStart } from '../server/modules/status-pages/public-status.ts';
import {
  BROWSER_TEST_TIMEOUT_MS,
  chromiumNote,
  expectAccessible,
  hasChromium,
  hydrated,
  pageErrors,
  signIn,
  openBrowserSuite,
  type BrowserSuite,
} from './browser.ts';
import { startFakeService, type FakeService } from './fake-services.ts';
import { createOrganization, createUser, signIn as signInApi, type TestApp, type TestUser } from './helpers.ts';

describe.skipIf(!hasChromium)(`the status page in Chromium${chromiumNote}`, { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let suite: BrowserSuite;
  let base: string;
  let admin: TestUser;
  let fake: FakeService;
  const slug = `acme-${Date.now().toString(36)}`;

  beforeAll(async () => {
    suite = await openBrowserSuite({ env: { SERVICES_TENANT_BLOCKED_NETWORKS: '169.254.0.0/16' } });
    ({ t, base } = suite);
    fake = await startFakeService(200);
    const org = await createOrganization(t.app, { slug });
    admin = await createUser(t.app, { role: 'admin', organizationId: org.id });
    const { headers } = await signInApi(t.app, { role: 'admin', organizationId: org.id });
    for (const name of ['shop', 'search']) {
      expect((await t.app.inject({ method: 'POST', url: '/api/services', headers, payload: { name, type: 'http', url: fake.url } })).statusCode).toBe(201);
      await t.app.health.runNow(name, { organizationId: org.id, projectId: org.projectId });
    }
    // A quarter of history: a good day, a bad one, and days without data between them.
    const start = historyStart(new Date());
    const day = (n: number, pass: number, fail: number) => ({
      organization_id: org.id,
      project_id: org.projectId,
      component: 'shop',
      status: fail > 0 ? ('fail' as const) : ('pass' as const),
      latency_ms: 4,
      resolution: '1d' as const,
      sample_count: pass + fail,
      pass_count: pass,
      warn_count: 0,
      fail_count: fail,
      checked_at: new Date(start.getTime() + n * 86_400_000),
    });
    await t.app.database.db
      .insertInto('health_samples')
      .values([day(60, 1440, 0), day(70, 1000, 440), day(88, 1439, 1)])
      .execute();
  }, 60_000);
  afterAll(async () => {
    await suite?.close();
    await fake?.close();
  });

  const page = (options: BrowserContextOptions = {}) => suite.newPage({ viewport: { width: 1280, height: 900 }, ...options });

  it('lets an admin enable the page and write an incident', async () => {
    const p = await page();
    const errors = pageErrors(p);
    await signIn(p, base, admin, '/status-page');
    await hydrated(p);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Status page');

    const settings = p.getByRole('region', { name: 'Settings' });
    await settings.getByLabel('Title').fill('');
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByText('must not be empty').waitFor();
    await settings.getByLabel('Publish the status page').check();
    await settings.getByLabel('Title').fill('Acme status');
    await settings.getByLabel('shop (Default)').check();
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await p.getByRole('link', { name: `/status/${slug}` }).waitFor();

    const incident = p.getByRole('region', { name: 'New incident' });
    await incident.getByLabel('Incident title').fill('Checkout is slow');
    await incident.getByLabel('Impact').selectOption('major');
    await incident.getByLabel('shop', { exact: true }).check();
    await incident.getByLabel('First update').fill('Payments take up to a minute; we are on it.');
    await incident.getByRole('button', { name: 'Open incident' }).click();
    const open = p.getByRole('region', { name: 'Open incidents and maintenance' });
    await open.getByRole('heading', { name: 'Checkout is slow' }).waitFor();
    expect(await open.textContent()).toContain('Payments take up to a minute');
    expect(errors).toEqual([]);
    await p.context().close();
  });

  it('shows an anonymous visitor without JavaScript the title, components, bar strips and the incident', async () => {
    const p = await page({ javaScriptEnabled: false });
    const response = await p.goto(`/status/${slug}`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toBe('public, max-age=30');
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Acme status');
    expect(await p.title()).toBe('Acme status · Watchkeeper');
    expect(await p.getByRole('heading', { level: 2, name: 'Some systems are down' }).count()).toBe(1);
    await p.getByRole('heading', { level: 3, name: 'shop' }).waitFor();
    expect(await p.getByRole('heading', { level: 3, name: 'search' }).count()).toBe(0); // not chosen
    const strip = p.getByRole('list', { name: 'shop, the last 90 days, oldest first' });
    expect(await strip.getByRole('listitem').count()).toBe(90);
    const labels = await strip.getByRole('listitem').allTextContents();
    expect(labels.filter((label) => label.endsWith('100% up'))).toHaveLength(2); // the seeded day, and today's checks
    expect(labels.some((label) => /^\d+ \w{3}: 69\.4% up$/.test(label))).toBe(true);
    expect(labels.filter((label) => label.endsWith('no data')).length).toBeGreaterThan(80);
    expect(await p.getByText(/% uptime over the last 90 days/).count()).toBe(1);
    const active = p.getByRole('region', { name: 'Active incidents' });
    await active.getByRole('heading', { name: 'Checkout is slow' }).waitFor();
    expect(await active.textContent()).toContain('Affects shop');
    expect(await active.textContent()).toContain('Payments take up to a minute; we are on it.');
    await p.context().close();
  });

  it('answers “not found” for an organization without a page', async () => {
    const p = await page({ javaScriptEnabled: false });
    const response = await p.goto('/status/nobody-here');
    expect(response?.status()).toBe(404);
    expect(response?.headers()['cache-control']).toBe('no-store');
    await p.context().close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`meets WCAG 2.1 A and AA on the public page and the editor in the ${colorScheme} theme (axe)`, async () => {
      const p = await page({ colorScheme });
      const errors = pageErrors(p);
      await p.goto(`/status/${slug}`);
      await hydrated(p); // the client takes over the cached HTML without a mismatch
      await expectAccessible(p, `status-page-public-${colorScheme}`);
      await signIn(p, base, admin, '/status-page');
      await hydrated(p);
      await expectAccessible(p, `status-page-editor-${colorScheme}`);
      expect(errors).toEqual([]);
      await p.context().close();
    });
  }
});
