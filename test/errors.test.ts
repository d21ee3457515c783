/**
 * Errors a client can act on: one catalogue of domain codes (contracts/errors.ts), each with its
 * status, title and a stable type URI; the README's table generated from it; the problem's `code`
 * typed as that union; and an unreachable database answered 503, never as "no such project".
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue, errorCodes, PROBLEM_TYPE_BASE, problemTypeFor } from '../contracts/errors.ts';
import { problemSchema, PROBLEM_CONTENT_TYPE } from '../contracts/problem.ts';
import { SYSTEM_PROJECT_ID } from '../contracts/tenancy.ts';
import { errorTable, readmeErrorTable } from '../scripts/error-table.ts';
import { buildTestApp, buildTestAppBehindProxy, createApiKey, signIn, type TestApp } from './helpers.ts';
import type { TcpProxy } from './tcp-proxy.ts';

describe('the error catalogue', () => {
  it('gives every code a 4xx or 5xx status, a title and a meaning', () => {
    for (const code of errorCodes) {
      const { status, title, description } = errorCatalogue[code];
      expect(code).toMatch(/^WK_ERR_[A-Z_]+$/);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
      expect(title.length, code).toBeGreaterThan(0);
      expect(description.length, code).toBeGreaterThan(0);
    }
  });

  it('names each code by its own absolute type URI, derived from the code alone', () => {
    const types = errorCodes.map(problemTypeFor);
    expect(new Set(types).size).toBe(errorCodes.length);
    for (const type of types) expect(type).toMatch(new RegExp(`^${PROBLEM_TYPE_BASE.replaceAll('.', '\\.')}[a-z]+(-[a-z]+)*$`));
    expect(problemTypeFor('WK_ERR_SERVICE_NAME_TAKEN')).toBe('https://watchkeeper.dev/problems/service-name-taken');
  });

  it('has no codes that only rename an HTTP status: a 404 or a 409 says which thing, which conflict', () => {
    for (const renamed of ['WK_ERR_NOT_FOUND', 'WK_ERR_CONFLICT', 'WK_ERR_FORBIDDEN', 'WK_ERR_UNPROCESSABLE']) expect(errorCodes).not.toContain(renamed);
  });

  it('types the problem code as the union of the catalogue', () => {
    const problem = { type: problemTypeFor('WK_ERR_LAST_OWNER'), title: 'Last owner', status: 409, code: 'WK_ERR_LAST_OWNER' };
    expect(problemSchema.safeParse(problem).success).toBe(true);
    expect(problemSchema.safeParse({ ...problem, code: 'WK_ERR_CONFLICT' }).success).toBe(false);
  });

  it('is documented in the README as scripts/error-table.ts generates it', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const current = readmeErrorTable(readme);
    expect(current, 'README.md lost its error-table markers').toBeDefined();
    expect(current, 'the error table is stale: run `npx tsx scripts/error-table.ts --write`').toBe(errorTable());
  });
});

describe('problems over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('carry the code, its status, title and type, and the field a conflict is about', async () => {
    const owner = await signIn(t.app, { role: 'owner' });
    const payload = { name: `twice-${randomUUID().slice(0, 8)}`, type: 'tcp', host: '127.0.0.1', port: 9 };
    expect((await t.app.inject({ method: 'POST', url: '/api/services', headers: owner.headers, payload })).statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/api/services', headers: owner.headers, payload });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(again.json()).toMatchObject({
      code: 'WK_ERR_SERVICE_NAME_TAKEN',
      status: 409,
      title: errorCatalogue.WK_ERR_SERVICE_NAME_TAKEN.title,
      type: 'https://watchkeeper.dev/problems/service-name-taken',
      errors: [{ pointer: '/body/name', detail: expect.any(String) }],
    });
  });

  it('tell an API key calling a route for signed-in users that it needs a session (403), not that the request is malformed', async () => {
    const key = await createApiKey(t.app, { scopes: ['health:read'] });
    const refused = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: key.headers });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'WK_ERR_SESSION_REQUIRED', type: 'https://watchkeeper.dev/problems/session-required' });
  });

  it('name the project of X-Project: unknown is 404 WK_ERR_PROJECT_NOT_FOUND, not a UUID is 400 naming the header', async () => {
    const admin = await signIn(t.app, { role: 'admin' });
    const unknown = await t.app.inject({ url: '/api/services', headers: { ...admin.headers, 'x-project': randomUUID() } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'WK_ERR_PROJECT_NOT_FOUND' });
    const malformed = await t.app.inject({ url: '/api/services', headers: { ...admin.headers, 'x-project': 'default' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(malformed.json()).toMatchObject({ code: 'WK_ERR_VALIDATION', errors: [{ pointer: '/headers/x-project', detail: expect.any(String) }] });
  });
});

describe('PostgreSQL unreachable', () => {
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    const behind = await buildTestAppBehindProxy({
      env: {
        DATABASE_POOL_MAX: '3',
      },
    });
    ({ proxy } = behind);
    t = behind;
  });
  afterEach(() => proxy.restore());
  afterAll(async () => {
    await t?.close();
  });

  it('answers a request naming a project 503 WK_ERR_DEPENDENCY_UNAVAILABLE, never 404 "no such project"', async () => {
    const admin = await signIn(t.app, { role: 'admin' });
    const headers = { ...admin.headers, 'x-project': SYSTEM_PROJECT_ID };
    // While the database is up: the project exists, and the admin's rights are seen (a read is
    // then authorized from them during the outage, so the request gets as far as the project).
    expect((await t.app.inject({ url: '/api/services', headers })).statusCode).toBe(200);

    await proxy.cut();
    const during = await t.app.inject({ url: '/api/services', headers });
    expect(during.statusCode).toBe(503);
    expect(during.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    expect(during.json()).toMatchObject({ status: 503, code: 'WK_ERR_DEPENDENCY_UNAVAILABLE' });
  });
});
