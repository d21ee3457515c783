import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, buildTestAppBehindProxy, type TestApp } from './helpers.ts';
import type { TcpProxy } from './tcp-proxy.ts';

const junkKey = () => ({ authorization: `Bearer wk_${randomBytes(24).toString('base64url')}` });

// The database sits behind a proxy that the tests freeze: a request that still gets its answer
// while it is frozen has touched no database.
describe('the per-address limit, before authentication', () => {
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    const behind = await buildTestAppBehindProxy({
      env: {
        RATE_LIMIT_ADDRESS_POINTS: '5',
        RATE_LIMIT_ADDRESS_UNAUTHORIZED_COST: '0',
        RATE_LIMIT_HEALTH_POINTS: '2',
      },
    });
    ({ proxy } = behind);
    t = behind;
  });
  afterAll(async () => {
    proxy?.thaw();
    await t?.close();
  });

  const get = (url: string, remoteAddress: string, headers: Record<string, string> = {}) => t.app.inject({ url, remoteAddress, headers });

  it('refuses an address past its budget with 429 problem+json before looking at its credentials or writing anything', async () => {
    for (let i = 0; i < 5; i++) expect((await get('/api/users', '192.0.2.60', junkKey())).statusCode).toBe(401);
    proxy.freeze();
    try {
      for (let i = 0; i < 20; i++) {
        const refused = await get('/api/users', '192.0.2.60', junkKey());
        expect(refused.statusCode).toBe(429);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(refused.headers['ratelimit-policy']).toBe('"address";q=5;w=10');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(refused.json()).toMatchObject({ status: 429, code: 'WK_ERR_RATE_LIMITED', instance: '/api/users' });
      }
    } finally {
      proxy.thaw();
    }
    // Another address has a budget of its own.
    expect((await get('/api/users', '192.0.2.61', junkKey())).statusCode).toBe(401);

    // Twenty refusals, counted into at most two audit records (the first, then the rest).
    await t.app.audit.flushRepeated();
    const blocks = await t.app.database.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'rate-limit.block')
      .where('target_id', '=', 'address')
      .where('ip', '=', '192.0.2.60')
      .execute();
    expect(blocks.length).toBeLessThanOrEqual(2);
    expect(blocks.reduce((sum, row) => sum + (row.details as { count: number }).count, 0)).toBe(20);
  });

  it('counts an IPv6 /64 as one address', async () => {
    for (let i = 0; i < 5; i++) await get('/docs/json', `2001:db8:60::${i + 1}`);
    expect((await get('/docs/json', '2001:db8:60::ffff')).statusCode).toBe(429);
    expect((await get('/docs/json', '2001:db8:61::1')).statusCode).toBe(200);
  });

  it('never refuses the liveness and readiness probes, which answer from the latest results with the database frozen', async () => {
    for (const state of t.app.health.list()) await t.app.health.runNow(state.id);
    const kubelet = '192.0.2.70';
    for (let i = 0; i < 5; i++) await get('/docs/json', kubelet);
    expect((await get('/docs/json', kubelet)).statusCode).toBe(429); // the address budget is spent
    proxy.freeze();
    try {
      // Far above the address budget (5) and the health budget (2).
      for (let i = 0; i < 30; i++) {
        const liveness = await get('/health/liveness', kubelet);
        expect(liveness.statusCode).toBe(200);
        expect(liveness.headers.ratelimit).toBeUndefined();
        expect((await get('/health/readiness', kubelet)).statusCode).toBe(200);
      }
    } finally {
      proxy.thaw();
    }
    // The other health endpoints keep their limit.
    const status = await get('/health/status', kubelet);
    expect(status.statusCode).toBe(429);
    expect(status.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('keeps the health budget for the other health endpoints, from an address with budget left', async () => {
    const report = () => get('/health/status', '192.0.2.71');
    expect((await report()).statusCode).toBe(401);
    expect((await report()).statusCode).toBe(401);
    const refused = await report();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['ratelimit-policy']).toBe('"health";q=2;w=60');
  });
});

describe('refused credentials against the per-address limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ADDRESS_POINTS: '100', RATE_LIMIT_ADDRESS_UNAUTHORIZED_COST: '10' } });
  });
  afterAll(() => t?.close());

  it('costs an address more per answer 401, so guessing keys is soon refused before the lookup', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await t.app.inject({ url: '/api/users', remoteAddress: '192.0.2.90', headers: junkKey() })).statusCode);
    // 1 + 10 points per refused key out of 100: the tenth is the last one looked up.
    expect(statuses).toEqual([...Array<number>(10).fill(401), ...Array<number>(10).fill(429)]);
    const refused = await t.app.inject({ url: '/docs/json', remoteAddress: '192.0.2.90' });
    expect(refused.headers['ratelimit-policy']).toBe('"address";q=100;w=10');
    // Other answers cost one point each.
    for (let i = 0; i < 100; i++) expect((await t.app.inject({ url: '/docs/json', remoteAddress: '192.0.2.91' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/docs/json', remoteAddress: '192.0.2.91' })).statusCode).toBe(429);
  });
});

// The same over real HTTP on loopback, as a kubelet on the node would poll: every request comes
// from 127.0.0.1.
describe('the probes over HTTP, from one address past every limit', () => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ADDRESS_POINTS: '5', RATE_LIMIT_HEALTH_POINTS: '2', RATE_LIMIT_API_POINTS: '3' } });
    for (const state of t.app.health.list()) await t.app.health.runNow(state.id);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t?.close());

  it('answers every liveness and readiness probe 200, while /health/status and the API get 429', async () => {
    const statuses = async (path: string, times: number, headers: Record<string, string> = {}) => {
      const answers: number[] = [];
      // Several at once, as several probes of several pods would arrive.
      for (let i = 0; i < times; i += 5)
        answers.push(...(await Promise.all(Array.from({ length: 5 }, async () => (await fetch(`${base}${path}`, { headers })).status))));
      return answers;
    };
    expect(new Set(await statuses('/health/liveness', 40))).toEqual(new Set([200]));
    expect(new Set(await statuses('/health/readiness', 40))).toEqual(new Set([200]));
    const others = await statuses('/health/status', 10);
    expect(others).toContain(429);
    const junk = await statuses('/api/users', 10, junkKey());
    expect(new Set(junk)).toEqual(new Set([429]));
    expect(new Set(await statuses('/health/liveness', 10))).toEqual(new Set([200]));
  });
});
