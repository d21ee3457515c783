/**
 * The authorization matrix: every registered route × every kind of caller (anonymous, each
 * built-in role, API keys with scopes) × their own or another organization.
 *  - anonymous on a non-public route → 401
 *  - a caller lacking the route's permission → 403
 *  - a caller holding it → neither 401 nor 403 (the route itself then answers 2xx, 400, 404 …)
 *  - a resource of another organization → 404, never 403 (no IDOR, no existence oracle)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInRolePermissions, permissions as allPermissions, type BuiltInRole, type Permission } from '../contracts/permissions.ts';
import { SYSTEM_ORGANIZATION_ID } from '../contracts/tenancy.ts';
import { buildTestApp, createApiKey, createOrganization, createUser, signIn, type TestApp } from './helpers.ts';
import { ACCESS_FROM_ELSEWHERE, effectiveAccess, ELSEWHERE, expectedAccess } from './access-expectations.ts';
import { PAGE_PATHS } from '../contracts/page-paths.ts';

/** Routes anyone may call (public, or `optional`: identified when signed in). A new one must be added here on purpose. */
const PUBLIC_ROUTES = [
  // The dashboard's pages: each decides who sees it (contracts/page-paths.ts).
  ...PAGE_PATHS.map((page) => `GET ${page.path}`),
  'GET /sw.js',
  'POST /sign-in',
  'POST /sign-out',
  'POST /scope',
  'GET /assets/*',
  'POST /api/client-errors',
  // What an organization's public status page says (404 until it is enabled).
  'GET /api/public/status/:slug',
  'GET /health/liveness',
  'GET /health/readiness',
  'GET /setup',
  'POST /setup',
  'POST /api/auth/login',
  'GET /docs',
  'GET /docs/',
  'GET /docs/*',
  'GET /docs/static/*',
  'GET /docs/json',
  'GET /docs/yaml',
  'GET /docs/static/index.html',
  'GET /docs/static/swagger-initializer.js',
  // Anyone from METRICS_ALLOW_NETWORKS (loopback); from elsewhere ACCESS_FROM_ELSEWHERE, which the sweep checks.
  'GET /metrics',
];

/** Routes that end the caller's own session; swept for 401 only, and tested in auth-sessions. */
const SESSION_ENDING = new Set(['POST /sign-out', 'POST /api/auth/logout', 'POST /api/auth/logout-everywhere', 'POST /api/auth/password']);

interface Caller {
  name: string;
  organizationId: string;
  headers: Record<string, string>;
  holds: readonly Permission[];
}

function urlFor(url: string): string {
  return url
    .replace(':component', 'database')
    .replace(/:id\b/g, randomUUID())
    .replace(/:[A-Za-z]+/g, 'matrix-nonexistent')
    .replace('*', 'index.html');
}

describe('authorization matrix', () => {
  let t: TestApp;
  let other: { id: string; projectId: string };
  const callers: Caller[] = [];

  beforeAll(async () => {
    // Rate limits are tested on their own; here hundreds of requests come from one address.
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    other = await createOrganization(t.app);
    const roles: BuiltInRole[] = ['owner', 'admin', 'editor', 'viewer'];
    for (const [orgName, organizationId] of [
      ['own', SYSTEM_ORGANIZATION_ID],
      ['other', other.id],
    ] as const) {
      for (const role of roles) {
        const user = await signIn(t.app, { role, organizationId });
        callers.push({ name: `${role}@${orgName}`, organizationId, headers: user.headers, holds: builtInRolePermissions(role) });
      }
    }
    const keyScopes: Array<[string, string, Permission[]]> = [
      ['key[health:read]@own', SYSTEM_ORGANIZATION_ID, ['health:read']],
      ['key[health:test,users:read,api-keys:read]@own', SYSTEM_ORGANIZATION_ID, ['health:test', 'users:read', 'api-keys:read']],
      ['key[logs:write]@own', SYSTEM_ORGANIZATION_ID, ['logs:write']],
      ['key[all]@other', other.id, [...allPermissions]],
    ];
    for (const [name, organizationId, scopes] of keyScopes) {
      const key = await createApiKey(t.app, { organizationId, scopes });
      callers.push({ name, organizationId, headers: key.headers, holds: scopes });
    }
  });
  afterAll(() => t.close());

  it('has every route declare its access, and only the listed routes are public', () => {
    const routes = t.app.registeredRoutes();
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => r.access === undefined)).toEqual([]);
    const publicRoutes = routes.filter((r) => (r.access === 'public' || r.access === 'optional') && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    expect(publicRoutes.filter((r) => !PUBLIC_ROUTES.includes(r))).toEqual([]);
  });

  it('serves the API description to anyone', async () => {
    const response = await t.app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json().paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/users', '/api/api-keys', '/health/status']));
  });

  /**
   * Pages are public routes that decide for themselves: a signed-in caller whom a page's data refuses
   * gets the page's 403 with the server's reason (orRouteError), so the page is held to that data's access.
   * (An API key is no session: a page sends it to sign in.)
   */

  it('answers every route for every caller as its declaration says', async () => {
    const mismatches: string[] = [];
    for (const route of t.app.registeredRoutes()) {
      const key = `${route.method} ${route.url}`;
      if (route.method === 'HEAD' || route.access === undefined) continue;
      for (const caller of [undefined, ...callers]) {
        const fromElsewhere = ACCESS_FROM_ELSEWHERE[key];
        const expected = expectedAccess(fromElsewhere ?? effectiveAccess(key, route.access, caller), caller);
        if (caller && SESSION_ENDING.has(key)) continue;
        const response = await t.app.inject({
          method: route.method as 'GET',
          url: urlFor(route.url),
          headers: caller?.headers ?? {},
          ...(fromElsewhere ? { remoteAddress: ELSEWHERE } : {}),
        });
        const status = response.statusCode;
        const ok = expected === 'allowed' ? status !== 401 && status !== 403 : status === expected;
        if (!ok) mismatches.push(`${key} as ${caller?.name ?? 'anonymous'}: expected ${expected}, got ${status} ${response.body.slice(0, 120)}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000); // every route × every caller: minutes on a busy machine

  describe('resources of another organization are 404, never 403', () => {
    const admins = () => callers.filter((c) => c.name === 'admin@own' || c.name === 'owner@other');

    it('lists only the users of the caller’s organization', async () => {
      for (const caller of admins()) {
        const { items } = (await t.app.inject({ url: '/api/users', headers: caller.headers })).json() as { items: Array<{ id: string }> };
        const ids = (await t.app.database.db.selectFrom('memberships').select('user_id').where('organization_id', '=', caller.organizationId).execute()).map(
          (r) => r.user_id,
        );
        expect(items.map((u) => u.id).sort()).toEqual([...new Set(ids)].sort());
      }
    });

    it.each([
      ['PATCH', (id: string) => `/api/users/${id}`, { disabled: true }, 200],
      ['POST', (id: string) => `/api/users/${id}/password`, { password: 'a-fresh-long-password-42' }, 204],
    ] as const)('%s on a user: own organization %#', async (method, url, payload, success) => {
      for (const caller of admins()) {
        const foreignOrg = caller.organizationId === SYSTEM_ORGANIZATION_ID ? other.id : SYSTEM_ORGANIZATION_ID;
        const mine = await createUser(t.app, { role: 'viewer', organizationId: caller.organizationId });
        const foreign = await createUser(t.app, { role: 'viewer', organizationId: foreignOrg });
        const own = await t.app.inject({ method, url: url(mine.id), headers: caller.headers, payload });
        expect(own.statusCode, `${caller.name} on own user`).toBe(success);
        const theirs = await t.app.inject({ method, url: url(foreign.id), headers: caller.headers, payload });
        expect(theirs.statusCode, `${caller.name} on foreign user`).toBe(404);
        const missing = await t.app.inject({ method, url: url(randomUUID()), headers: caller.headers, payload });
        expect({ ...theirs.json(), requestId: undefined, instance: undefined }).toEqual({ ...missing.json(), requestId: undefined, instance: undefined });
      }
    });

    it('revokes API keys of its own organization only', async () => {
      for (const caller of admins()) {
        const foreignOrg = caller.organizationId === SYSTEM_ORGANIZATION_ID ? other.id : SYSTEM_ORGANIZATION_ID;
        const mine = await createApiKey(t.app, { organizationId: caller.organizationId, scopes: ['health:read'] });
        const foreign = await createApiKey(t.app, { organizationId: foreignOrg, scopes: ['health:read'] });
        expect((await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${foreign.id}`, headers: caller.headers })).statusCode).toBe(404);
        expect((await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${mine.id}`, headers: caller.headers })).statusCode).toBe(204);
        const { items } = (await t.app.inject({ url: '/api/api-keys', headers: caller.headers })).json() as { items: Array<{ id: string }> };
        expect(items.map((k) => k.id)).toContain(mine.id);
        expect(items.map((k) => k.id)).not.toContain(foreign.id);
      }
    });

    it('does not let X-Organization pick an organization the user is not a member of', async () => {
      const caller = callers.find((c) => c.name === 'owner@own')!;
      const response = await t.app.inject({ url: '/api/users', headers: { ...caller.headers, 'x-organization': other.id } });
      expect(response.statusCode).toBe(403);
      const unknown = await t.app.inject({ url: '/api/users', headers: { ...caller.headers, 'x-organization': randomUUID() } });
      expect({ ...unknown.json(), requestId: undefined }).toEqual({ ...response.json(), requestId: undefined });
    });

    it('lets a member of several organizations choose one with X-Organization', async () => {
      const user = await signIn(t.app, { role: 'viewer' });
      const role = await t.app.auth.memberships.findRole(other.id, 'admin');
      await t.app.auth.memberships.setMembership({ userId: user.id, organizationId: other.id, roleId: role!.id });
      expect((await t.app.inject({ url: '/api/users', headers: user.headers })).statusCode).toBe(403);
      const there = await t.app.inject({ url: '/api/users', headers: { ...user.headers, 'x-organization': other.id } });
      expect(there.statusCode).toBe(200);
    });
  });

  it('audits a denied request', async () => {
    if (!t.app.hasDecorator('audit')) return;
    const viewer = callers.find((c) => c.name === 'viewer@own')!;
    expect((await t.app.inject({ url: '/api/users', headers: viewer.headers })).statusCode).toBe(403);
    const rows = await t.app.database.db
      .selectFrom('audit_log' as never)
      .selectAll()
      .execute()
      .catch(() => []);
    expect(JSON.stringify(rows)).toContain('access.denied');
  });
});
