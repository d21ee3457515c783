/**
 * Redis made to fail by real means — a TCP proxy in front of the shared server, cut (down, its
 * data intact) or frozen (connections open, nothing answered) — and what Watchkeeper must not do
 * then: bring back a session that was ended while Redis could not be told, or hang (or slow down)
 * requests that do not need Redis to be answered. Requests go over real HTTP on loopback.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../server/platform/auth/tokens.ts';
import {
  buildTestApp,
  createApiKey,
  createTestDatabase,
  createUser,
  login,
  redisAvailability,
  signIn,
  testRedisUrl,
  uniqueName,
  type TestDatabase,
} from './helpers.ts';
import { proxyTo, type TcpProxy } from './tcp-proxy.ts';

const redis = redisAvailability();

/** Starts the app behind a proxy to the shared Redis, listening on loopback. */
async function appBehindProxy(env: Record<string, string> = {}, database?: TestDatabase) {
  const proxy = await proxyTo(testRedisUrl()!);
  const prefix = `${uniqueName('wk_test')}:`;
  const t = await buildTestApp({ env: { REDIS_URL: proxy.url(testRedisUrl()!), CACHE_KEY_PREFIX: prefix, ...env }, ...(database ? { database } : {}) });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // Generous: these requests must complete, and a hang must fail the test rather than stall it.
  const call = (path: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  return {
    t,
    proxy,
    prefix,
    call,
    async close() {
      proxy.thaw();
      await t.close();
      await proxy.close();
    },
  };
}

type Harness = Awaited<ReturnType<typeof appBehindProxy>>;

const newCookie = (response: Response) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith('wk_session=') && !c.startsWith('wk_session=;'))
    ?.split(';')[0];

describe.skipIf(!redis.available)(`sessions ended while Redis is down stay ended when it returns ${redis.reason}`, () => {
  let h: Harness;
  let direct: Redis;

  beforeAll(async () => {
    h = await appBehindProxy({ RATE_LIMIT_ENABLED: 'false' });
    direct = new Redis(testRedisUrl()!);
  });
  afterEach(async () => {
    await h.proxy.restore();
    await redisIsBack();
  });
  afterAll(async () => {
    await direct?.quit();
    await h?.close();
  });

  const redisIsBack = () => vi.waitFor(async () => expect(await h.t.app.cache.ping()).toEqual(expect.any(Number)), { timeout: 15_000, interval: 100 });

  /**
   * Cuts Redis, runs `change`, restores Redis with its data as it was, and waits until the app uses
   * it again; checks that these sessions' cache entries did survive, so the database has to overrule them.
   */
  async function whileRedisIsDown(change: () => Promise<void>, cookies: string[]) {
    for (const cookie of cookies) expect(await direct.exists(sessionKey(cookie))).toBe(1);
    await h.proxy.cut();
    await change();
    await h.proxy.restore();
    await redisIsBack();
    for (const cookie of cookies) expect(await direct.exists(sessionKey(cookie))).toBe(1);
  }

  const sessionKey = (cookie: string) => `${h.prefix}session:${sha256(cookie.slice('wk_session='.length))}`;
  const newService = () => ({ name: uniqueName('svc').toLowerCase().replace(/_/g, '-'), type: 'tcp', host: '127.0.0.1', port: 5432 });

  it('answers a sign-out while Redis is down truthfully, and the old cookie is refused for reads and writes once Redis is back', async () => {
    const user = await signIn(h.t.app, { role: 'admin' });
    expect((await h.call('/api/auth/session', { headers: user.headers })).status).toBe(200);
    await whileRedisIsDown(async () => {
      const out = await h.call('/api/auth/logout', { method: 'POST', headers: user.headers });
      expect(out.status).toBe(204);
    }, [user.cookie]);

    expect((await h.call('/api/auth/session', { headers: user.headers })).status).toBe(401);
    const write = await h.call('/api/services', { method: 'POST', headers: user.headers, body: newService() });
    expect(write.status).toBe(401);
    expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await h.call('/api/auth/session', { headers: user.headers })).status).toBe(401);
  });

  it('keeps a session ended on an instance cut off from Redis ended on another instance that never lost it', async () => {
    const other = await buildTestApp({ database: h.t.database, env: { REDIS_URL: testRedisUrl()!, CACHE_KEY_PREFIX: h.prefix, RATE_LIMIT_ENABLED: 'false' } });
    try {
      const user = await signIn(h.t.app, { role: 'admin' });
      expect(await direct.exists(sessionKey(user.cookie))).toBe(1);
      const onOther = (headers: Record<string, string>) => other.app.inject({ url: '/api/auth/session', headers });
      expect((await onOther(user.headers)).statusCode).toBe(200);
      await h.proxy.cut();
      expect((await h.call('/api/auth/logout', { method: 'POST', headers: user.headers })).status).toBe(204);
      // Redis itself never went away: the other instance still finds the session there.
      expect(await direct.exists(sessionKey(user.cookie))).toBe(1);
      // The other instance learns of the change from PostgreSQL's notification on commit (rights-cache.ts).
      await other.app.database.notifications.sync();
      expect((await onOther(user.headers)).statusCode).toBe(401);
      expect((await other.app.inject({ method: 'POST', url: '/api/services', headers: user.headers, payload: newService() })).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('keeps every session ended by logout-everywhere while Redis was down, on this and other cookies', async () => {
    const user = await createUser(h.t.app, { role: 'admin' });
    const first = await login(h.t.app, user);
    const second = await login(h.t.app, user);
    await whileRedisIsDown(async () => {
      expect((await h.call('/api/auth/logout-everywhere', { method: 'POST', headers: first.headers })).status).toBe(200);
    }, [first.cookie, second.cookie]);
    for (const session of [first, second]) {
      expect((await h.call('/api/auth/session', { headers: session.headers })).status).toBe(401);
      expect((await h.call('/api/services', { method: 'POST', headers: session.headers, body: newService() })).status).toBe(401);
    }
  });

  it('refuses the sessions of a user disabled while Redis was down', async () => {
    const admin = await signIn(h.t.app, { role: 'admin' });
    const member = await signIn(h.t.app, { role: 'editor' });
    await whileRedisIsDown(async () => {
      expect((await h.call(`/api/users/${member.id}`, { method: 'PATCH', headers: admin.headers, body: { disabled: true } })).status).toBe(200);
    }, [member.cookie]);
    expect((await h.call('/api/auth/session', { headers: member.headers })).status).toBe(401);
    expect((await h.call('/api/services', { method: 'POST', headers: member.headers, body: newService() })).status).toBe(401);
  });

  it('rotates, with the lower rights, the session of a user demoted while Redis was down; the old cookie then stops working', async () => {
    const admin = await signIn(h.t.app, { role: 'admin' });
    const member = await signIn(h.t.app, { role: 'editor' });
    await whileRedisIsDown(async () => {
      expect((await h.call(`/api/users/${member.id}`, { method: 'PATCH', headers: admin.headers, body: { role: 'viewer' } })).status).toBe(200);
    }, [member.cookie]);

    const next = await h.call('/api/auth/session', { headers: member.headers });
    expect(next.status).toBe(200);
    const rotated = newCookie(next);
    expect(rotated).toBeDefined();
    expect(rotated).not.toBe(member.cookie);
    expect(((await next.json()) as { principal: { memberships: unknown[] } }).principal.memberships).toEqual([expect.objectContaining({ role: 'viewer' })]);

    expect((await h.call('/api/auth/session', { headers: member.headers })).status).toBe(401);
    expect((await h.call('/api/services', { method: 'POST', headers: member.headers, body: newService() })).status).toBe(401);
    const fresh = { cookie: rotated!, 'x-csrf-token': member.csrfToken };
    expect((await h.call('/api/auth/session', { headers: fresh })).status).toBe(200);
    expect((await h.call('/api/services', { method: 'POST', headers: fresh, body: newService() })).status).toBe(403);
  });
});

describe.skipIf(!redis.available)(`a frozen Redis hangs nothing ${redis.reason}`, () => {
  let h: Harness;

  afterEach(async () => {
    await h?.close();
  });

  /** A cookie read, a cookie write, an API-key read and the liveness probe. */
  async function everyKind(h: Harness, session: { headers: Record<string, string> }, key: { headers: Record<string, string> }) {
    const answers = await Promise.all([
      h.call('/api/auth/session', { headers: session.headers }),
      h.call('/api/services', {
        method: 'POST',
        headers: session.headers,
        body: { name: uniqueName('svc').toLowerCase().replace(/_/g, '-'), type: 'tcp', host: '127.0.0.1', port: 5432 },
      }),
      h.call('/api/services', { headers: key.headers }),
      h.call('/health/liveness'),
    ]);
    return answers.map((r) => r.status);
  }

  it('answers cookie, API-key and liveness requests, and after the first timeout sends Redis nothing more', async () => {
    // A cooldown longer than the test: no probe may reach Redis while it counts.
    h = await appBehindProxy({ REDIS_CIRCUIT_COOLDOWN_MS: '600000' });
    const session = await signIn(h.t.app, { role: 'admin' });
    const key = await createApiKey(h.t.app, { scopes: ['services:read'] });
    expect(await everyKind(h, session, key)).toEqual([200, 201, 200, 200]);

    h.proxy.freeze();
    expect(await everyKind(h, session, key)).toEqual([200, 201, 200, 200]);
    const sent = h.proxy.bytesFromClients;
    for (let i = 0; i < 5; i++) expect(await everyKind(h, session, key)).toEqual([200, 201, 200, 200]);
    expect(h.proxy.bytesFromClients).toBe(sent);
  });

  it('uses Redis again by itself once it answers', async () => {
    h = await appBehindProxy({ REDIS_CIRCUIT_COOLDOWN_MS: '200' });
    const session = await signIn(h.t.app, { role: 'admin' });
    const key = await createApiKey(h.t.app, { scopes: ['services:read'] });
    h.proxy.freeze();
    expect(await everyKind(h, session, key)).toEqual([200, 201, 200, 200]);
    h.proxy.thaw();
    await vi.waitFor(async () => expect(await h.t.app.cache.ping()).toEqual(expect.any(Number)), { timeout: 15_000, interval: 100 });
    const sent = h.proxy.bytesFromClients;
    expect(await everyKind(h, session, key)).toEqual([200, 201, 200, 200]);
    expect(h.proxy.bytesFromClients).toBeGreaterThan(sent);
    await h.t.app.cache.set('probe', 'back');
    expect(await h.t.app.cache.get('probe')).toBe('back');
  });
});

describe.skipIf(!redis.available)(`the last-known-rights fallback does not revive a session ended while Redis was down ${redis.reason}`, () => {
  let database: TestDatabase;
  let postgres: TcpProxy;
  let h: Harness;

  beforeAll(async () => {
    database = await createTestDatabase();
    postgres = await proxyTo(database.url);
    h = await appBehindProxy({ RATE_LIMIT_ENABLED: 'false', DATABASE_URL: postgres.url(database.url) }, database);
  });
  afterAll(async () => {
    await h?.close();
    await postgres?.close();
    await database?.drop();
  });

  it('serves, while PostgreSQL is away, the reads of a session seen since the sign-out, and not the one signed out', async () => {
    const user = await createUser(h.t.app, { role: 'admin' });
    const kept = await login(h.t.app, user);
    const ended = await login(h.t.app, user);
    for (const session of [kept, ended]) expect((await h.call('/api/auth/session', { headers: session.headers })).status).toBe(200);

    await h.proxy.cut();
    expect((await h.call('/api/auth/logout', { method: 'POST', headers: ended.headers })).status).toBe(204);
    await h.proxy.restore();
    await vi.waitFor(async () => expect(await h.t.app.cache.ping()).toEqual(expect.any(Number)), { timeout: 15_000, interval: 100 });
    const direct = new Redis(testRedisUrl()!);
    expect(await direct.exists(`${h.prefix}session:${sha256(ended.cookie.slice('wk_session='.length))}`)).toBe(1);
    await direct.quit();
    // Seen after the sign-out: confirmed by the database, and its rights remembered with the new version.
    expect((await h.call('/api/auth/session', { headers: kept.headers })).status).toBe(200);

    await postgres.cut();
    try {
      expect((await h.call('/api/auth/session', { headers: kept.headers })).status).toBe(200);
      const refused = await h.call('/api/auth/session', { headers: ended.headers });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      await postgres.restore();
    }
  });
});
