import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, redisAvailability, signIn, testRedisUrl, uniqueName, type SignedInUser, type TestApp } from './helpers.ts';
import { proxyTo, type TcpProxy } from './tcp-proxy.ts';

const SMALL_LIMITS = { RATE_LIMIT_API_POINTS: '3', RATE_LIMIT_HEALTH_POINTS: '2', RATE_LIMIT_AUTH_POINTS: '50' };

/** GET a public route from `ip`; the docs' API description is classed `api` like the rest. */
function hit(t: TestApp, ip: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url: '/docs/json', remoteAddress: ip, headers });
}

async function exhaust(t: TestApp, ip: string, points: number, headers: Record<string, string> = {}) {
  for (let i = 0; i < points; i++) expect((await hit(t, ip, headers)).statusCode).toBe(200);
}

describe('rate limiting, in-process', () => {
  let t: TestApp;
  let admin: SignedInUser;
  beforeAll(async () => {
    t = await buildTestApp({ env: SMALL_LIMITS });
    admin = await signIn(t.app, { role: 'admin' });
  });
  afterAll(() => t.close());

  it('describes the policy and the remaining budget in the IETF RateLimit fields', async () => {
    const first = await hit(t, '192.0.2.1');
    expect(first.statusCode).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"api";q=3;w=60');
    expect(first.headers.ratelimit).toMatch(/^"api";r=2;t=\d+$/);
    expect((await hit(t, '192.0.2.1')).headers.ratelimit).toMatch(/^"api";r=1;t=\d+$/);
  });

  it('answers 429 problem+json with Retry-After once the limit is spent', async () => {
    await exhaust(t, '192.0.2.2', 3);
    const refused = await hit(t, '192.0.2.2');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers.ratelimit).toMatch(/^"api";r=0;t=\d+$/);
    expect(refused.json()).toMatchObject({ status: 429, code: 'WK_ERR_RATE_LIMITED', instance: '/docs/json' });
    // Another address has its own budget.
    expect((await hit(t, '192.0.2.3')).statusCode).toBe(200);
  });

  it('keeps one bucket per socket address whatever X-Forwarded-For says (no TRUST_PROXY)', async () => {
    for (let i = 0; i < 3; i++) expect((await hit(t, '192.0.2.4', { 'x-forwarded-for': `203.0.113.${i}` })).statusCode).toBe(200);
    expect((await hit(t, '192.0.2.4', { 'x-forwarded-for': '203.0.113.99' })).statusCode).toBe(429);
  });

  it('puts a whole IPv6 /64 in one bucket', async () => {
    await exhaust(t, '2001:db8:1:2::1', 3);
    expect((await hit(t, '2001:db8:1:2:ffff::2')).statusCode).toBe(429);
    expect((await hit(t, '2001:db8:1:3::1')).statusCode).toBe(200);
  });

  it('gives the health reports their own budget', async () => {
    const report = () => t.app.inject({ url: '/health/status', remoteAddress: '192.0.2.5' });
    await exhaust(t, '192.0.2.5', 3); // the api budget of this address is spent…
    const first = await report(); // …the health budget is not
    expect(first.statusCode).toBe(401);
    expect(first.headers['ratelimit-policy']).toBe('"health";q=2;w=60');
    await report();
    expect((await report()).statusCode).toBe(429);
  });

  it('counts requests refused before reaching the handler, such as invalid bodies', async () => {
    const invalid = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/ip-rules',
        remoteAddress: '192.0.2.6',
        payload: { action: 'allow', cidr: 'nonsense' },
        headers: admin.headers,
      });
    for (let i = 0; i < 3; i++) expect((await invalid()).statusCode).toBe(400);
    const refused = await invalid();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'WK_ERR_RATE_LIMITED' });
  });

  it('limits a signed-in caller per user, apart from anonymous traffic from the same address', async () => {
    const user = await signIn(t.app, { role: 'admin' });
    const list = () => t.app.inject({ url: '/api/ip-rules', remoteAddress: '192.0.2.7', headers: user.headers });
    for (let i = 0; i < 3; i++) expect((await list()).statusCode).toBe(200);
    expect((await list()).statusCode).toBe(429);
    // The same user from elsewhere shares the bucket; an anonymous client at the address does not.
    expect((await t.app.inject({ url: '/api/ip-rules', remoteAddress: '198.51.100.70', headers: user.headers })).statusCode).toBe(429);
    expect((await hit(t, '192.0.2.7')).statusCode).toBe(200);
  });

  it('audits the first refusal of a bucket in a window at once and the rest as one record with their count', async () => {
    await exhaust(t, '192.0.2.8', 3);
    for (let i = 0; i < 5; i++) expect((await hit(t, '192.0.2.8')).statusCode).toBe(429);
    const blocks = () =>
      t.app.database.db
        .selectFrom('audit_log')
        .select(['action', 'outcome', 'ip', 'details'])
        .where('action', '=', 'rate-limit.block')
        .where('ip', '=', '192.0.2.8')
        .orderBy('seq')
        .execute();
    await expect.poll(async () => (await blocks()).length).toBe(1);
    expect((await blocks())[0]).toMatchObject({ outcome: 'denied', details: { count: 1 } });
    await t.app.audit.flushRepeated();
    const written = await blocks();
    expect(written.map((row) => (row.details as { count: number }).count)).toEqual([1, 4]);
  });
});

describe('rate limiting behind a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { ...SMALL_LIMITS, TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(() => t.close());

  it('buckets by the forwarded client address when the proxy is trusted', async () => {
    await exhaust(t, '127.0.0.1', 3, { 'x-forwarded-for': '203.0.113.10' });
    expect((await hit(t, '127.0.0.1', { 'x-forwarded-for': '203.0.113.10' })).statusCode).toBe(429);
    expect((await hit(t, '127.0.0.1', { 'x-forwarded-for': '203.0.113.11' })).statusCode).toBe(200);
  });

  it('ignores X-Forwarded-For from a peer that is not the trusted proxy', async () => {
    for (let i = 0; i < 3; i++) expect((await hit(t, '198.51.100.20', { 'x-forwarded-for': `203.0.113.${20 + i}` })).statusCode).toBe(200);
    expect((await hit(t, '198.51.100.20', { 'x-forwarded-for': '203.0.113.30' })).statusCode).toBe(429);
  });
});

describe('rate limiting of authentication endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_AUTH_POINTS: '2' } });
  });
  afterAll(() => t.close());

  it('holds sign-in attempts to the strict auth budget, but not the session read the UI makes on every page', async () => {
    const attempt = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '192.0.2.40',
        payload: { email: 'nobody@example.test', password: 'wrong-password-1' },
      });
    const first = await attempt();
    expect(first.statusCode).toBe(401);
    expect(first.headers['ratelimit-policy']).toBe('"auth";q=2;w=60');
    expect((await attempt()).statusCode).toBe(401);
    expect((await attempt()).statusCode).toBe(429);
    const session = await t.app.inject({ url: '/api/auth/session', remoteAddress: '192.0.2.40' });
    expect(session.statusCode).not.toBe(429);
    expect(session.headers['ratelimit-policy']).toMatch(/^"api";/);
  });
});

describe('rate limiting can be turned off', () => {
  it('sends no RateLimit fields and never 429 with RATE_LIMIT_ENABLED=false', async () => {
    const t = await buildTestApp({ env: { ...SMALL_LIMITS, RATE_LIMIT_ENABLED: 'false' } });
    try {
      for (let i = 0; i < 5; i++) {
        const response = await hit(t, '192.0.2.9');
        expect(response.statusCode).toBe(200);
        expect(response.headers.ratelimit).toBeUndefined();
      }
    } finally {
      await t.close();
    }
  });
});

const redis = redisAvailability();

describe.skipIf(!redis.available)(`rate limiting with Redis ${redis.reason}`, () => {
  let relay: TcpProxy;
  let direct: Redis;
  let t: TestApp;
  const prefix = `${uniqueName('wk_test')}:`;

  beforeAll(async () => {
    relay = await proxyTo(testRedisUrl()!);
    direct = new Redis(testRedisUrl()!);
    t = await buildTestApp({ redis: true, env: { ...SMALL_LIMITS, REDIS_URL: relay.url(testRedisUrl()!), CACHE_KEY_PREFIX: prefix } });
  });
  afterAll(async () => {
    await t?.close();
    await relay?.close();
    const keys = await direct.keys(`${prefix}*`);
    if (keys.length > 0) await direct.del(...keys);
    direct.disconnect();
  });

  const probe = async () => (await t.app.health.runNow('rate-limiter'))!;

  it('keeps the counters in Redis, shared by every instance', async () => {
    const other = await buildTestApp({ redis: true, env: { ...SMALL_LIMITS, REDIS_URL: relay.url(testRedisUrl()!), CACHE_KEY_PREFIX: prefix } });
    try {
      await exhaust(t, '192.0.2.20', 2);
      expect((await hit(other, '192.0.2.20')).statusCode).toBe(200);
      expect((await hit(other, '192.0.2.20')).statusCode).toBe(429);
      expect(Number(await direct.get(`${prefix}rl:api:ip:192.0.2.20`))).toBeGreaterThanOrEqual(4);
    } finally {
      await other.close();
    }
    expect(await probe()).toMatchObject({ status: 'pass' });
  });

  it('falls back to the in-process limiter while Redis is down, reports it, and recovers', async () => {
    await relay.cut();
    await expect.poll(async () => (await probe()).status, { timeout: 10_000 }).toBe('warn');
    expect((await probe()).output).toMatch(/in-process fallback/);

    // Still limited — neither fail-open nor fail-closed.
    await exhaust(t, '192.0.2.21', 3);
    expect((await hit(t, '192.0.2.21')).statusCode).toBe(429);
    expect(await direct.exists(`${prefix}rl:api:ip:192.0.2.21`)).toBe(0);

    await relay.restore();
    await expect.poll(async () => (await probe()).status, { timeout: 15_000 }).toBe('pass');
    expect((await hit(t, '192.0.2.22')).statusCode).toBe(200);
    expect(await direct.get(`${prefix}rl:api:ip:192.0.2.22`)).toBe('1');
  });

  it('decides in-process rather than wait on a Redis that stopped answering, without asking it again on every request', async () => {
    const measured = async (name: string) => Number((await probe()).measurements.find((m) => m.name === name)?.observedValue);
    const failuresBefore = await measured('redisFailures');
    const fallbacksBefore = await measured('fallbackDecisions');
    relay.freeze();
    try {
      await exhaust(t, '192.0.2.23', 3);
      expect((await hit(t, '192.0.2.23')).statusCode).toBe(429);
      for (let i = 0; i < 10; i++) expect((await hit(t, '192.0.2.24')).statusCode).toBe(i < 3 ? 200 : 429);
      const status = await probe();
      expect(status).toMatchObject({ status: 'warn' });
      // 14 decisions, all made in memory; Redis was waited for by the first (and at most one more,
      // on a machine slow enough for the pause after a failure to end during these requests).
      expect((await measured('fallbackDecisions')) - fallbacksBefore).toBe(14);
      expect((await measured('redisFailures')) - failuresBefore).toBeLessThanOrEqual(2);
    } finally {
      relay.thaw();
    }
    await expect.poll(async () => (await probe()).status, { timeout: 15_000 }).toBe('pass');
    expect((await hit(t, '192.0.2.25')).statusCode).toBe(200);
    expect(await direct.get(`${prefix}rl:api:ip:192.0.2.25`)).toBe('1');
  });
});
