import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../server/platform/auth/tokens.ts';
import { buildTestApp, createUser, login, redisAvailability, testRedisUrl, uniqueName, type TestApp, type TestUser } from './helpers.ts';

const redis = redisAvailability();

describe.skipIf(!redis.available)(`sessions across instances through Redis ${redis.reason}`, () => {
  let a: TestApp;
  let b: TestApp;
  let direct: Redis;
  let user: TestUser;
  const prefix = `${uniqueName('wk_test')}:`;

  beforeAll(async () => {
    const env = { CACHE_KEY_PREFIX: prefix, RATE_LIMIT_ENABLED: 'false' };
    a = await buildTestApp({ redis: true, env });
    b = await buildTestApp({ redis: true, env, database: a.database });
    direct = new Redis(testRedisUrl()!);
    user = await createUser(a.app, { role: 'admin' });
  });
  afterAll(async () => {
    await direct.quit();
    await b.close();
    await a.close();
  });

  const whoAmI = (t: TestApp, cookie: string) => t.app.inject({ url: '/api/auth/session', headers: { cookie } });

  it('caches the session row in Redis, never the session id itself', async () => {
    const { cookie } = await login(a.app, user);
    const id = cookie.slice('wk_session='.length);
    const cached = await direct.get(`${prefix}session:${sha256(id)}`);
    expect(cached).not.toBeNull();
    expect(cached).not.toContain(id);
    expect(await direct.pttl(`${prefix}session:${sha256(id)}`)).toBeGreaterThan(0);
  });

  it('lets a session started on one instance be used and ended on another', async () => {
    const session = await login(a.app, user);
    expect((await whoAmI(b, session.cookie)).statusCode).toBe(200);
    expect((await b.app.inject({ method: 'POST', url: '/api/auth/logout', headers: session.headers })).statusCode).toBe(204);
    expect((await whoAmI(a, session.cookie)).statusCode).toBe(401);
    const id = session.cookie.slice('wk_session='.length);
    expect(await direct.get(`${prefix}session:${sha256(id)}`)).toBeNull();
  });

  it('ends every session everywhere on logout-everywhere', async () => {
    const first = await login(a.app, user);
    const second = await login(b.app, user);
    expect((await whoAmI(a, second.cookie)).statusCode).toBe(200);
    await a.app.inject({ method: 'POST', url: '/api/auth/logout-everywhere', headers: first.headers });
    expect((await whoAmI(b, first.cookie)).statusCode).toBe(401);
    expect((await whoAmI(b, second.cookie)).statusCode).toBe(401);
  });
});
