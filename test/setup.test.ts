import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createTestDatabase, login, testPassword, type TestApp } from './helpers.ts';

const run = promisify(execFile);

function formCookie(response: { cookies: Array<{ name: string; value: string }> }): string {
  return `wk_setup_csrf=${response.cookies.find((c) => c.name === 'wk_setup_csrf')!.value}`;
}

function hiddenToken(html: string): string {
  return /name="csrfToken" value="([^"]+)"/.exec(html)![1]!;
}

describe('first-run setup page', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  });
  afterAll(() => t.close());

  it('sends the root to the first-run page while no account exists', async () => {
    const response = await t.app.inject({ url: '/' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/setup');
  });

  it('serves a plain HTML form without scripts while no account exists', async () => {
    const response = await t.app.inject({ url: '/setup' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<form method="post" action="/setup">');
    expect(response.body).not.toMatch(/<script/i);
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('refuses a form post without the matching form token', async () => {
    const page = await t.app.inject({ url: '/setup' });
    const response = await t.app.inject({
      method: 'POST',
      url: '/setup',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie(page) },
      payload: new URLSearchParams({ email: 'root@example.test', password: testPassword(), csrfToken: 'forged' }).toString(),
    });
    expect(response.statusCode).toBe(403);
  });

  it('shows the form again with the reasons when the password is refused', async () => {
    const page = await t.app.inject({ url: '/setup' });
    const response = await t.app.inject({
      method: 'POST',
      url: '/setup',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie(page) },
      payload: new URLSearchParams({ email: 'root@example.test', password: 'short', confirm: 'short', csrfToken: hiddenToken(page.body) }).toString(),
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('at least 12 characters');
    expect(response.body).toContain('value="root@example.test"');
  });

  it('creates the first administrator once, then refuses', async () => {
    const password = testPassword();
    const page = await t.app.inject({ url: '/setup' });
    const created = await t.app.inject({
      method: 'POST',
      url: '/setup',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: formCookie(page) },
      payload: new URLSearchParams({ email: 'Root@Example.test', password, confirm: password, csrfToken: hiddenToken(page.body) }).toString(),
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).toContain('root@example.test');

    const admin = await login(t.app, { email: 'root@example.test', password });
    const session = (await t.app.inject({ url: '/api/auth/session', headers: admin.headers })).json();
    expect(session.principal.memberships).toEqual([{ organizationId: '00000000-0000-4000-8000-000000000001', projectId: null, role: 'owner' }]);
    expect(session.permissions).toContain('users:write');

    expect((await t.app.inject({ url: '/setup' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/' })).headers.location).toBe('/sign-in');
    const again = await t.app.inject({ method: 'POST', url: '/setup', payload: { email: 'intruder@example.test', password: testPassword() } });
    expect(again.statusCode).toBe(409);
    expect(await t.app.database.db.selectFrom('users').select('email').execute()).toEqual([{ email: 'root@example.test' }]);
  });
});

describe('watchkeeper user create', () => {
  it('creates an owner of the system organization from WATCHKEEPER_PASSWORD, and refuses a weak password', async () => {
    const database = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'watchkeeper-cli-'));
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, LOG_LEVEL: 'silent', DATA_DIR: dataDir, HOME: dataDir };
    try {
      const weak = await run('node', ['bin/watchkeeper.js', 'user', 'create', '--email', 'ops@example.test', '--admin'], {
        env: { ...env, WATCHKEEPER_PASSWORD: 'password' },
      }).catch((error: { code: number; stderr: string }) => error);
      expect(weak).toMatchObject({ code: 1, stderr: expect.stringContaining('at least 12 characters') });

      const password = testPassword();
      const { stdout } = await run('node', ['bin/watchkeeper.js', 'user', 'create', '--email', 'ops@example.test', '--admin'], {
        env: { ...env, WATCHKEEPER_PASSWORD: password },
      });
      expect(stdout).toContain('created ops@example.test');

      const t = await buildTestApp({ database });
      try {
        const { headers } = await login(t.app, { email: 'ops@example.test', password });
        const session = (await t.app.inject({ url: '/api/auth/session', headers })).json();
        expect(session.principal.memberships[0].role).toBe('owner');
        expect((await t.app.inject({ url: '/setup' })).statusCode).toBe(404);
      } finally {
        await t.close();
      }
    } finally {
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
