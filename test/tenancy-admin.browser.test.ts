/**
 * The Administration pages for users, roles, IP rules and organizations in a real browser, as an
 * owner: every change through the page's own forms and dialogs, the server's field errors on their
 * fields, confirmations that Escape cancels with focus back where it was, a viewer answered with
 * the server's reason, and axe in both themes with a screenshot of each page.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumNote, expectAccessible, hasChromium, hydrated, pageErrors, signIn, openBrowserSuite, type BrowserSuite } from './browser.ts';
import { createUser, type TestApp, type TestUser } from './helpers.ts';

/** What a page reports as broken, less the console's note of an API refusal the page shows itself. */
const unexpected = (errors: string[]) => errors.filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));

describe.skipIf(!hasChromium)(`the Administration pages in Chromium${chromiumNote}`, () => {
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

  async function asOwner(path: string): Promise<Page> {
    const p = await page();
    await signIn(p, base, owner, path);
    await hydrated(p);
    return p;
  }

  const focusedText = (p: Page) =>
    p.evaluate<string | null | undefined>("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent");

  it('creates a custom role with two permissions, edits it, and deletes it after a confirmation that Escape cancels', async () => {
    const p = await asOwner('/admin/roles');
    const errors = pageErrors(p);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Roles');
    expect(await p.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Roles' }).getAttribute('aria-current')).toBe('page');
    // The built-in roles are listed with what they hold, and offer no editing.
    const builtIn = p.getByRole('table', { name: 'Built-in roles and their permissions' });
    expect(await builtIn.getByRole('row', { name: /^owner/ }).textContent()).toContain('organizations:write');

    // A name the schema refuses: the field says why, before anything is sent.
    await p.getByLabel('Name').fill('Not A Name');
    await p.getByRole('button', { name: 'Create role' }).click();
    expect(await p.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');

    await p.getByLabel('Name').fill('auditors');
    await p.getByLabel('Description', { exact: true }).fill('Reads the audit log');
    await p.getByRole('checkbox', { name: 'audit:read' }).check();
    await p.getByRole('checkbox', { name: 'health:read' }).check();
    await p.getByRole('button', { name: 'Create role' }).click();
    const custom = p.getByRole('table', { name: 'Custom roles' });
    const row = custom.getByRole('row', { name: /^auditors/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('health:read, audit:read');

    // The server's refusal lands on its field: that name is taken.
    await p.getByLabel('Name').fill('auditors');
    await p.getByRole('checkbox', { name: 'audit:read' }).check();
    await p.getByRole('button', { name: 'Create role' }).click();
    await expect.poll(() => p.getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect(await p.locator('.field-error').first().textContent()).toContain('is taken');

    await p.getByRole('button', { name: 'Edit role auditors' }).click();
    await p.getByRole('heading', { name: 'Edit the role auditors' }).waitFor();
    await p.getByRole('checkbox', { name: 'audit:verify' }).check();
    await p.getByRole('button', { name: 'Save role' }).click();
    await expect.poll(() => row.textContent()).toContain('health:read, audit:read, audit:verify');

    // Escape cancels the confirmation and focus returns to the button that opened it.
    const remove = p.getByRole('button', { name: 'Delete role auditors' });
    await remove.focus();
    await p.keyboard.press('Enter');
    const dialog = p.getByRole('dialog', { name: 'Delete the role auditors?' });
    await dialog.waitFor();
    expect(await focusedText(p)).toBe('Cancel');
    await p.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focusedText(p)).toBe('Delete role auditors');
    expect(await row.count()).toBe(1);

    await p.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Delete role' }).click();
    await row.waitFor({ state: 'detached' });
    expect(unexpected(errors)).toEqual([]);
    await p.context().close();
  });

  it('refuses a malformed CIDR on its field, adds a deny rule for a TEST-NET range, and deletes it', async () => {
    const p = await asOwner('/admin/ip-rules');
    const errors = pageErrors(p);
    const cidr = p.getByLabel('Address or range (CIDR)');
    await cidr.fill('300.1.2.3/99');
    await p.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => cidr.getAttribute('aria-invalid')).toBe('true');
    const described = (await cidr.getAttribute('aria-describedby'))!.split(' ').at(-1)!;
    expect(await p.locator(`[id="${described}"]`).textContent()).toContain('must be an IPv4 or IPv6 address');
    expect(await p.evaluate("document.activeElement?.getAttribute('aria-invalid')")).toBe('true'); // focus went to it

    // TEST-NET-1 (RFC 5737): nobody's address, so the test's own 127.0.0.1 is never shut out.
    await cidr.fill('192.0.2.0/24');
    await p.getByLabel('Note').fill('documentation range');
    await p.getByRole('button', { name: 'Add rule' }).click();
    const row = p.getByRole('table', { name: 'IP rules' }).getByRole('row', { name: /192\.0\.2\.0\/24/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Deny');
    expect(await cidr.getAttribute('aria-invalid')).toBeNull();

    await p.getByRole('button', { name: 'Delete the deny rule for 192.0.2.0/24' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Delete rule' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await p.getByRole('status').filter({ hasText: 'is deleted' }).count()).toBe(1);
    expect(unexpected(errors)).toEqual([]);
    await p.context().close();
  });

  it('creates a user, resets their password, and disables the account after a confirmation', async () => {
    const p = await asOwner('/admin/users');
    const errors = pageErrors(p);
    const email = `new-${Date.now()}@example.test`;
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Initial password').fill('Wk-a-long-enough-Passw0rd-for-policy');
    await p.getByLabel('Role').selectOption('editor');
    await p.getByRole('button', { name: 'Create user' }).click();
    const row = p.getByRole('table', { name: 'Users' }).getByRole('row', { name: new RegExp(`^${email.replace(/\./g, '\\.')}`) });
    await row.waitFor();
    expect(await row.textContent()).toContain('Active');
    expect(await row.textContent()).toContain('editor');

    // A new password, set by the administrator: the old one no longer signs in.
    await p.getByRole('button', { name: `Reset the password of ${email}` }).click();
    expect(await p.evaluate("document.activeElement?.getAttribute('type')")).toBe('password'); // focus went into the form
    await p.getByLabel(`New password for ${email}`).fill('Wk-another-long-Passw0rd-for-policy');
    await p.getByRole('button', { name: 'Set password' }).click();
    await p
      .getByRole('status')
      .filter({ hasText: `The password of ${email} is reset` })
      .waitFor();
    const reset = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: 'Wk-another-long-Passw0rd-for-policy' } });
    expect(reset.statusCode).toBe(200);

    await p.getByRole('button', { name: `Disable ${email}` }).click();
    await p
      .getByRole('dialog', { name: `Disable ${email}?` })
      .getByRole('button', { name: 'Disable account' })
      .click();
    await expect.poll(() => row.textContent()).toContain('Disabled');
    expect(await p.getByRole('button', { name: `Enable ${email}` }).count()).toBe(1);
    const stored = await t.app.database.db.selectFrom('users').select('disabled_at').where('email', '=', email).executeTakeFirstOrThrow();
    expect(stored.disabled_at).not.toBeNull();
    expect(unexpected(errors)).toEqual([]);
    await p.context().close();
  });

  it('creates and renames a project, and gives an existing user a role in it', async () => {
    const colleague = await createUser(t.app, { role: 'viewer' });
    const p = await asOwner('/admin/organizations');
    const errors = pageErrors(p);
    await p.getByLabel('Project name').fill('Payments');
    await p.getByLabel('Project slug').fill('payments');
    await p.getByRole('button', { name: 'Create project' }).click();
    await p
      .getByRole('table', { name: 'Projects' })
      .getByRole('row', { name: /^Payments/ })
      .waitFor();
    // Renamed in place; focus goes back to the row's (renamed) button.
    await p.getByRole('button', { name: 'Rename project Payments' }).click();
    await p.getByLabel('New name for Payments').fill('Payments EU');
    await p.getByRole('button', { name: 'Save name' }).click();
    await p.getByRole('button', { name: 'Rename project Payments EU' }).waitFor();
    await expect.poll(() => focusedText(p)).toBe('Rename project Payments EU');

    await p.getByLabel('Email of an existing user').fill(colleague.email);
    await p.getByLabel('Where').selectOption({ label: 'Payments EU' });
    await p.getByLabel('Role', { exact: true }).selectOption('editor');
    await p.getByRole('button', { name: 'Add member' }).click();
    const membership = p
      .getByRole('table', { name: 'Memberships' })
      .getByRole('row', { name: new RegExp(`${colleague.email.replace(/\./g, '\\.')}.*Payments EU`) });
    await membership.waitFor();
    expect(await p.getByLabel(`Role of ${colleague.email} in Payments EU`, { exact: true }).inputValue()).toBe('editor');
    expect(unexpected(errors)).toEqual([]);
    await p.context().close();
  });

  it('shows a viewer the server’s reason instead of the page', async () => {
    const viewer = await createUser(t.app, { role: 'viewer' });
    const p = await page();
    await signIn(p, base, viewer, '/admin/roles');
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('This page could not be shown');
    expect(await p.getByRole('alert').textContent()).toContain('roles:read');
    await p.context().close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`meets WCAG 2.1 A and AA on each Administration page in the ${colorScheme} theme (axe)`, async () => {
      const p = await page({ colorScheme, viewport: { width: 1280, height: 800 } });
      await signIn(p, base, owner, '/admin/users');
      for (const [name, path] of [
        ['admin-users', '/admin/users'],
        ['admin-roles', '/admin/roles'],
        ['admin-ip-rules', '/admin/ip-rules'],
        ['admin-organizations', '/admin/organizations'],
      ] as const) {
        await p.goto(path);
        await hydrated(p);
        await expectAccessible(p, `${name}-${colorScheme}`);
      }
      await p.context().close();
    }, 120_000);
  }
});
