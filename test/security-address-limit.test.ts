import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createTestDatabase, type TestApp, type TestDatabase } from './helpers.ts';
import { proxyTo, type TcpProxy } from './tcp-proxy.ts';

const junkKey = () => ({ authorization: `Bearer wk_${randomBytes(24).toString('base64url')}` });

// The database sits behind a proxy that the tests freeze: a request that still gets its answer
// while it is frozen has touched no database.
describe('the per-address limit, before authentication', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await proxyTo(database.url);
    t = await buildTestApp({ database, env: { DATABASE_URL: proxy.url(database.url), RATE_LIMIT_ADDRESS_POINTS: '5', RATE_LIMIT_HEALTH_POINTS: '2' } });
  });
  afterAll(async () => {
    proxy?.thaw();
    await t?.close();
    await proxy?.close();
    await database?.drop();
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
