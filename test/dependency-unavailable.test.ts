/**
 * A request that needs the database while it is unreachable is answered 503 problem+json
 * (retryable), never 500, and the app serves again once the database is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestAppBehindProxy, signIn, type SignedInUser, type TestApp } from './helpers.ts';
import type { TcpProxy } from './tcp-proxy.ts';

describe('the database unreachable during a request', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: SignedInUser;

  beforeAll(async () => {
    const behind = await buildTestAppBehindProxy({
      env: {
        RATE_LIMIT_ENABLED: 'false',
      },
    });
    ({ proxy } = behind);
    t = behind;
    admin = await signIn(t.app, { role: 'admin' });
  });
  afterAll(async () => {
    await proxy.restore();
    await t.close();
  });

  it('answers 503 problem+json naming the dependency, keeps liveness, and serves again when it returns', async () => {
    await proxy.cut();
    const unavailable = await t.app.inject({ url: '/api/users', headers: admin.headers });
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unavailable.json()).toMatchObject({ status: 503, code: 'WK_ERR_DEPENDENCY_UNAVAILABLE' });
    expect((await t.app.inject({ url: '/health/liveness' })).statusCode).toBe(200);

    await proxy.restore();
    await t.app.database.reconnect();
    expect((await t.app.inject({ url: '/api/users', headers: admin.headers })).statusCode).toBe(200);
  });
});
