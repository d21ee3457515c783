/**
 * The services pages in a real browser (Debian's Chromium): add a service (a validation error on
 * its field first, then a name already taken from the server), see it listed, edit it, check it now
 * against a real HTTP server, delete it; the same walk by keyboard alone; switching the project in
 * the header; and WCAG 2.1 A/AA (axe) with screenshots of each page in both themes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
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
import { createOrganization, createUser, joinOrganization, login, type TestApp, type TestUser } from './helpers.ts';

describe.skipIf(!hasChromium)(`the services pages in Chromium${chromiumNote}`, { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let suite: BrowserSuite;
  let base: string;
  let user: TestUser;
  let target: Server;
  let targetUrl: string;
  let api: Record<string, string>;
  let other: { id: string; name: string };

  beforeAll(async () => {
    // What the services check: a real HTTP server, answering 200 to anything.
    target = createServer((_request, response) => response.writeHead(200).end('ok'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    targetUrl = `http://127.0.0.1:${port}/health`;
    // And one service declared in the config file: read-only through the API and the pages.
    const configFile = join(mkdtempSync(join(tmpdir(), 'wk-services-browser-')), 'watchkeeper.json');
    writeFileSync(configFile, JSON.stringify({ services: [{ name: 'from-config', type: 'tcp', host: '127.0.0.1', port }] }));
    suite = await openBrowserSuite({ env: { WATCHKEEPER_CONFIG: configFile } });
    ({ t, base } = suite);
    // An owner here who is also an owner of another organization, whose project has a service of its own.
    user = await createUser(t.app, { role: 'owner' });
    const organization = await createOrganization(t.app);
    await joinOrganization(t.app, user.id, organization.id);
    other = { id: organization.id, name: organization.slug };
    api = (await login(t.app, user)).headers;
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/services',
      headers: { ...api, 'x-organization': organization.id, 'x-project': organization.projectId },
      payload: { name: 'billing-elsewhere', type: 'tcp', host: 'billing.example.test', port: 443 },
    });
    expect(elsewhere.statusCode).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await suite?.close();
    await new Promise((resolve) => target?.close(resolve));
  });

  async function page(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await suite.browser.newContext({ baseURL: base, ...options });
    const p = await context.newPage();
    // Shorter than the test's own timeout, so a wait that never ends names what it waited for.
    p.setDefaultTimeout(30_000);
    return p;
  }
  const addService = async (name: string) => {
    const created = await t.app.inject({ method: 'POST', url: '/api/services', headers: api, payload: { name, type: 'http', url: targetUrl } });
    expect(created.statusCode).toBe(201);
  };
  // Run in the page (serialized: no closure), typed without the DOM library the tests' tsconfig leaves out.
  const isFocused = (locator: Locator) =>
    locator.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);
  const focusedId = (p: Page) => p.evaluate<string | undefined>('document.activeElement?.id');
  /** Presses Tab until the element has the focus (a bounded walk, as a keyboard user would). */
  async function tabTo(p: Page, locator: Locator, { most = 40 } = {}): Promise<void> {
    for (let presses = 0; presses < most; presses += 1) {
      await p.keyboard.press('Tab');
      if (await isFocused(locator)) return;
    }
    throw new Error(`${String(locator)} was not reached with ${most} presses of Tab`);
  }

  it('adds a service (its errors on their fields), lists it, edits it, checks it now, and deletes it', async () => {
    const p = await page();
    const errors = pageErrors(p);
    await signInAs(p, base, user, '/services/new');
    await hydrated(p);
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe('Add a service');

    // Checked in the browser with the server's schema: the message is on the field, which gets the focus.
    await p.getByLabel('Name', { exact: true }).fill('web-app');
    const url = p.getByLabel('URL', { exact: true });
    await url.fill('not a url');
    await p.getByRole('button', { name: 'Add service' }).click();
    await expect.poll(() => url.getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(url)).toBe(true);
    const described = (await url.getAttribute('aria-describedby'))!.split(' ');
    const message = await p.locator(`[id="${described.at(-1)}"]`).textContent();
    expect(message).toBe('must be an http:// or https:// URL');
    await expectAccessible(p, 'service-new-invalid-light');

    await url.fill(targetUrl);
    await p.getByRole('button', { name: 'Add service' }).click();
    await p.waitForURL(`${base}/services/web-app`);
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe('web-app');
    expect(await p.getByRole('status').filter({ hasText: 'The service was added.' }).count()).toBe(1);

    // The server's refusal of a name taken lands on the name field.
    await p.getByRole('link', { name: 'Services', exact: true }).first().click();
    await p.getByRole('link', { name: 'Add a service' }).click();
    const name = p.getByLabel('Name', { exact: true });
    await name.fill('web-app');
    await p.getByLabel('URL', { exact: true }).fill(targetUrl);
    await p.getByRole('button', { name: 'Add service' }).click();
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    expect(await p.getByText('is already taken').count()).toBe(1);
    expect(await isFocused(name)).toBe(true);

    // Listed, with its target and source.
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    const row = p.getByRole('row').filter({ has: p.getByRole('link', { name: 'web-app' }) });
    await row.waitFor();
    expect(await row.textContent()).toContain(`GET ${targetUrl}`);
    expect(await row.textContent()).toContain('Added here');

    // Edited.
    await row.getByRole('link', { name: 'web-app' }).click();
    await p.waitForURL(`${base}/services/web-app`);
    await p.getByLabel('Expected status codes').fill('200, 204');
    await p.getByRole('button', { name: 'Save changes' }).click();
    await p.getByRole('status').filter({ hasText: 'The changes were saved.' }).waitFor();
    await p.reload();
    await hydrated(p);
    expect(await p.getByLabel('Expected status codes').inputValue()).toBe('200, 204');
    expect(await p.getByText('The changes were saved.').count()).toBe(0); // said once, not at every reload

    // Checked now, against the real server: the result is announced.
    await p.getByRole('button', { name: 'Check now' }).click();
    await expect.poll(() => p.locator('.check-result').textContent()).toMatch(/^Checked: up in \d+ ms/);

    // Deleted, after confirming in a dialog.
    await p.getByRole('button', { name: 'Delete web-app…' }).click();
    const dialog = p.getByRole('dialog', { name: 'Delete web-app?' });
    await dialog.waitFor();
    expect(await isFocused(dialog.getByRole('button', { name: 'Cancel' }))).toBe(true);
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await p.waitForURL(`${base}/services`);
    await p.getByRole('status').filter({ hasText: 'web-app was deleted.' }).waitFor();
    expect(await p.getByRole('link', { name: 'web-app' }).count()).toBe(0);
    expect((await t.app.inject({ url: '/api/services/web-app', headers: api })).statusCode).toBe(404);
    // No script error, no hydration mismatch; the one refusal is the name taken.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
    await p.context().close();
  }, 120_000);

  it('shows a service from the config file read-only, with its source', async () => {
    const p = await page();
    await signInAs(p, base, user, '/services');
    const row = p.getByRole('row').filter({ has: p.getByRole('link', { name: 'from-config' }) });
    expect(await row.textContent()).toContain('Config file (read-only)');
    await row.getByRole('link', { name: 'from-config' }).click();
    await p.waitForURL(`${base}/services/from-config`);
    await p.getByText('declared in the config file and is read-only here').waitFor();
    expect(await p.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
    expect(await p.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    expect(await p.getByRole('button', { name: 'Check now' }).count()).toBe(1); // checking it changes nothing
    await p.context().close();
  }, 120_000);

  it('walks from sign-in to the overview, the services, a service’s edit form and a save, by keyboard alone', async () => {
    await addService('keyboard-walk');
    const p = await page();
    await p.goto('/services');
    await p.waitForURL(/\/sign-in/);
    await hydrated(p);
    await tabTo(p, p.getByLabel('Email'));
    await p.keyboard.type(user.email);
    await p.keyboard.press('Tab');
    expect(await isFocused(p.getByLabel('Password'))).toBe(true);
    await p.keyboard.type(user.password);
    await p.keyboard.press('Enter');
    await p.waitForURL(`${base}/services`);
    await hydrated(p);

    // The overview, from the navigation; focus moves to the page.
    await tabTo(p, p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }));
    await p.keyboard.press('Enter');
    await p.waitForURL(`${base}/`);
    await expect.poll(() => focusedId(p)).toBe('main');
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');

    // The services: focus again on the page, from where Tab reaches the list.
    await p.keyboard.press('Shift+Tab');
    await tabTo(p, p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }));
    await p.keyboard.press('Enter');
    await p.waitForURL(`${base}/services`);
    await expect.poll(() => focusedId(p)).toBe('main');
    await tabTo(p, p.getByRole('link', { name: 'keyboard-walk' }));
    await p.keyboard.press('Enter');
    await p.waitForURL(`${base}/services/keyboard-walk`);
    await expect.poll(() => focusedId(p)).toBe('main');

    // The edit form: Tab into it, change the timeout, save with Enter.
    const timeout = p.getByLabel('Timeout (milliseconds)');
    await tabTo(p, timeout);
    await p.keyboard.type('2500');
    await p.keyboard.press('Enter');
    const saved = p.getByRole('status').filter({ hasText: 'The changes were saved.' });
    await saved.waitFor();
    expect(await isFocused(saved)).toBe(true); // the page stayed: focus on what happened, not lost
    const stored = await t.app.inject({ url: '/api/services/keyboard-walk', headers: api });
    expect(stored.json()).toMatchObject({ timeoutMs: 2500 });
    await p.context().close();
  }, 120_000);

  it('switches the organization and project in the header and shows that project’s services', async () => {
    await addService('here-only');
    const p = await page();
    await signInAs(p, base, user, '/services');
    await hydrated(p);
    expect(await p.getByRole('link', { name: 'here-only' }).count()).toBe(1);
    const switcher = p.getByLabel('Acting in');
    await switcher.selectOption({ label: `${other.name} / Default` });
    await p.getByRole('button', { name: 'Switch' }).click();
    await p.waitForURL(`${base}/services`);
    await hydrated(p);
    await p.getByRole('link', { name: 'billing-elsewhere' }).waitFor();
    expect(await p.getByRole('link', { name: 'here-only' }).count()).toBe(0);
    expect(
      await p
        .getByLabel('Acting in')
        .evaluate((select) => (select as unknown as { selectedOptions: { textContent: string }[] }).selectedOptions[0]?.textContent),
    ).toBe(`${other.name} / Default`);
    // The browser's own calls act there too: the client refetches the same list.
    const list = await p.evaluate(async () => {
      const answer = await fetch('/api/services', { headers: { accept: 'application/json' } });
      return answer.status;
    });
    expect(list).toBe(200);
    await p.getByRole('link', { name: 'billing-elsewhere' }).click();
    await p.waitForURL(`${base}/services/billing-elsewhere`);
    await expect.poll(() => p.getByRole('heading', { level: 1 }).textContent()).toBe('billing-elsewhere');
    await p.context().close();
  }, 120_000);

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`meets WCAG 2.1 A and AA on the services pages in the ${colorScheme} theme (axe)`, async () => {
      await addService(`screenshot-${colorScheme}`);
      await t.app.inject({ method: 'POST', url: `/api/services/screenshot-${colorScheme}/check`, headers: api });
      const p = await page({ colorScheme, viewport: { width: 1280, height: 800 } });
      await signInAs(p, base, user, '/services');
      for (const [name, path] of [
        ['services', '/services'],
        ['service-new', '/services/new'],
        ['service', `/services/screenshot-${colorScheme}`],
      ] as const) {
        await p.goto(path);
        await hydrated(p);
        await expectAccessible(p, `${name}-${colorScheme}`);
      }
      await p.context().close();
    }, 120_000);
  }
});
