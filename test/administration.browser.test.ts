/**
 * Administration and Account in a real browser (Debian's Chromium via playwright-core): the audit
 * log (filters with and without JavaScript, verification, exports), security events, API keys
 * (the key shown once, copied, used, revoked), changing the password and signing out everywhere.
 * axe checks each page in both themes; screenshots go to docs/screenshots/.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumNote, expectAccessible, hasChromium, hydrated, pageErrors, signIn, openBrowserSuite, type BrowserSuite } from './browser.ts';
import { createUser, type TestApp, type TestUser } from './helpers.ts';

describe.skipIf(!hasChromium)(`administration and account in Chromium${chromiumNote}`, () => {
  let t: TestApp;
  let suite: BrowserSuite;
  let base: string;
  let owner: TestUser;

  beforeAll(async () => {
    suite = await openBrowserSuite();
    ({ t, base } = suite);
    owner = await createUser(t.app, { role: 'owner' });
  }, 60_000);
  afterAll(async () => {
    await suite?.close();
  });

  const page = (options: BrowserContextOptions = {}) => suite.newPage(options);

  const actionCells = (p: Page) => p.locator('table tbody tr td:nth-child(4)').allTextContents();

  it('lists audit records, narrows them with the filter form, verifies the chain and exports NDJSON and CSV', async () => {
    const p = await page();
    const errors = pageErrors(p);
    await signIn(p, base, owner, '/admin/audit');
    await hydrated(p);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Audit log');
    await p.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Audit log' }).waitFor();
    await expect.poll(async () => (await actionCells(p)).length).toBeGreaterThan(0);
    expect(await actionCells(p)).toContain('auth.login');

    await p.getByLabel('Outcome').selectOption('success');
    await p.getByLabel('Action', { exact: true }).fill('auth.login');
    await p.getByRole('button', { name: 'Apply filters' }).click();
    await p.waitForURL(/action=auth\.login/);
    await expect.poll(async () => new Set(await actionCells(p))).toEqual(new Set(['auth.login']));
    // The filter stays in the form, and the exports carry it.
    expect(await p.getByLabel('Action', { exact: true }).inputValue()).toBe('auth.login');

    await p.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'Chain' }).textContent()).toMatch(/Chain intact: \d+ records verified/);

    for (const format of ['NDJSON', 'CSV']) {
      const download = p.waitForEvent('download');
      await p.getByRole('link', { name: format, exact: true }).click();
      const text = await readFile((await (await download).path())!, 'utf8');
      if (format === 'CSV') {
        expect(text.split('\r\n')[0]).toMatch(/^seq,occurred_at,/);
        expect(text).toContain(',auth.login,');
      } else {
        const lines = text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { action: string });
        expect(lines.length).toBeGreaterThan(0);
        expect(new Set(lines.map((line) => line.action))).toEqual(new Set(['auth.login']));
      }
    }
    expect(errors).toEqual([]);
    await p.context().close();
  });

  it('filters the audit log with JavaScript disabled, through the plain GET form', async () => {
    const p = await page({ javaScriptEnabled: false });
    await signIn(p, base, owner, '/admin/audit');
    await p.getByLabel('Action', { exact: true }).fill('auth.*');
    await p.getByRole('button', { name: 'Apply filters' }).click();
    await p.waitForURL(/action=auth\.\*/);
    const actions = await actionCells(p);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((action) => action.startsWith('auth.'))).toBe(true);
    // A filter the server refuses is said on the form, not as a broken page.
    await p.goto('/admin/audit?from=yesterday');
    expect(await p.getByRole('alert').textContent()).toMatch(/ISO 8601/);
    await p.context().close();
  });

  it('lists security events with a filter form', async () => {
    const p = await page();
    await signIn(p, base, owner, '/admin/security-events');
    await hydrated(p);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Security events');
    await p.getByLabel('Severity').selectOption('critical');
    await p.getByRole('button', { name: 'Apply filters' }).click();
    await p.waitForURL(/severity=critical/);
    await p.getByText('No security events match these filters.').waitFor();
    await p.context().close();
  });

  it('refuses an administration page to someone without the permission with the server’s reason, not a crash', async () => {
    const viewer = await createUser(t.app, { role: 'viewer' });
    const p = await page();
    const response = await (async () => {
      await signIn(p, base, viewer, '/');
      return p.goto('/admin/api-keys');
    })();
    expect(response?.status()).toBe(403);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('This page could not be shown');
    expect(await p.getByRole('alert').textContent()).toMatch(/api-keys:read/);
    await p.context().close();
  });

  it('shows a new API key once, copies it, and the key works until it is revoked', async () => {
    const p = await page({ permissions: ['clipboard-read', 'clipboard-write'] });
    const errors = pageErrors(p);
    await signIn(p, base, owner, '/admin/api-keys');
    await hydrated(p);
    const name = `ci-${randomUUID().slice(0, 8)}`;

    // Nothing filled in: the server's schema refuses it in the browser, on the fields.
    await p.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => p.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect(
      await p
        .getByRole('group', { name: 'Scopes' })
        .getByText(/at least 1|too small/i)
        .count(),
    ).toBe(1);

    await p.getByLabel('Name').fill(name);
    await p.getByLabel('health:read').check();
    await p.getByLabel('audit:read').check();
    await p.getByRole('button', { name: 'Create key' }).click();
    const secretField = p.getByLabel('API key', { exact: true });
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^wk_/);
    await p.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect.poll(() => p.locator('.copy-status').textContent()).toBe('Copied to the clipboard.');
    expect(await p.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await p.getByRole('row', { name: new RegExp(name) }).waitFor();

    // Reloaded: listed by name, the secret nowhere.
    await p.reload();
    await hydrated(p);
    await p.getByRole('row', { name: new RegExp(name) }).waitFor();
    expect(await p.getByLabel('API key', { exact: true }).count()).toBe(0);
    expect(await p.content()).not.toContain(secret);

    // The key really works, over HTTP, for what it was given.
    const asKey = () => fetch(`${base}/api/audit?limit=1`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await asKey()).status).toBe(200);

    await p.getByRole('button', { name: `Revoke ${name}` }).click();
    await p.getByRole('button', { name: 'Yes, revoke' }).click();
    await p
      .getByRole('row', { name: new RegExp(name) })
      .getByText(/^Revoked/)
      .waitFor();
    expect((await asKey()).status).toBe(401);
    expect(errors).toEqual([]);
    await p.context().close();
  });

  it('changes the password: a wrong current one is said on its field, the right one works for the next sign-in', async () => {
    const user = await createUser(t.app, { role: 'viewer' });
    const p = await page();
    await signIn(p, base, user, '/account');
    await hydrated(p);
    const newPassword = `Fresh-${randomUUID()}`;
    await p.getByLabel('Current password').fill(`not-${user.password}`);
    await p.getByLabel('New password').fill(newPassword);
    await p.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => p.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');
    await p.getByText('is not your current password').waitFor();

    await p.getByLabel('Current password').fill(user.password);
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.waitForURL(/\/account\?changed=1$/);
    await p.getByText('Your password was changed').waitFor();

    await hydrated(p);
    await p.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await p.waitForURL(/\/sign-in$/);
    await signIn(p, base, { ...user, password: newPassword }, '/account');
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Account');
    await p.context().close();
  });

  it('signs out everywhere: every session of the user ends', async () => {
    const user = await createUser(t.app, { role: 'viewer' });
    const here = await page();
    const elsewhere = await page();
    await signIn(here, base, user, '/account');
    await signIn(elsewhere, base, user, '/account');
    await hydrated(here);
    await here.getByRole('button', { name: 'Sign out everywhere' }).click();
    await here.waitForURL(/\/sign-in$/);
    await elsewhere.goto('/account');
    expect(elsewhere.url()).toBe(`${base}/sign-in?next=%2Faccount`);
    await here.context().close();
    await elsewhere.context().close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`meets WCAG 2.1 A and AA on the administration and account pages in the ${colorScheme} theme (axe)`, async () => {
      const p = await page({ colorScheme, viewport: { width: 1280, height: 800 } });
      await signIn(p, base, owner, '/account');
      const pages: [string, string][] = [
        ['admin-audit', '/admin/audit'],
        ['admin-security-events', '/admin/security-events'],
        ['admin-api-keys', '/admin/api-keys'],
        ['account', '/account'],
      ];
      for (const [name, path] of pages) {
        await p.goto(path);
        await hydrated(p);
        if (name === 'admin-audit') {
          await p.getByRole('button', { name: 'Verify' }).click();
          await p.getByText(/Chain intact/).waitFor();
        }
        await expectAccessible(p, `${name}-${colorScheme}`);
      }
      await p.context().close();
    });
  }
});
