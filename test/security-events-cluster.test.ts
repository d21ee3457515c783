/**
 * Security detection across a cluster: with Redis the detectors' windows are shared, so an attack
 * spread over instances behind a load balancer is counted whole and opens one event; with Redis
 * unreachable each instance still detects on what it sees itself.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEventPublished } from '../server/platform/events/index.ts';
import { buildTestApp, createUser, redisAvailability, testPassword, testRedisUrl, uniqueName, type TestApp } from './helpers.ts';

const redis = redisAvailability();

const DETECTION = {
  RATE_LIMIT_ENABLED: 'false',
  AUTH_LOGIN_MAX_FAILURES: '100',
  AUTH_LOGIN_IP_MAX_FAILURES: '100',
  SECURITY_BRUTE_FORCE_THRESHOLD: '4',
};

const failLogin = (app: FastifyInstance, email: string, remoteAddress: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: testPassword() }, remoteAddress });

/** Every `security.event` the app publishes from now on. */
function publishedEvents(app: FastifyInstance): SecurityEventPublished[] {
  const seen: SecurityEventPublished[] = [];
  app.events.on('security.event', (event) => void seen.push(event));
  return seen;
}

async function bruteForceRows(app: FastifyInstance, email: string) {
  const rows = await sql<{ count: number }>`SELECT count FROM security_events WHERE kind = 'brute-force' AND subject = ${`account:${email}`}`.execute(
    app.database.db,
  );
  return rows.rows.map((row) => row.count);
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!redis.available)(`security detection across instances ${redis.reason}`, () => {
  let a: TestApp;
  let b: TestApp;
  let direct: Redis;
  const prefix = `${uniqueName('wk_test')}:`;

  beforeAll(async () => {
    const env = { ...DETECTION, CACHE_KEY_PREFIX: prefix };
    a = await buildTestApp({ redis: true, env });
    b = await buildTestApp({ redis: true, env, database: a.database });
    direct = new Redis(testRedisUrl()!);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    const keys = await direct.keys(`${prefix}*`);
    if (keys.length > 0) await direct.del(...keys);
    direct.disconnect();
  });

  it('detects brute force split across two instances and opens exactly one event', async () => {
    const victim = await createUser(a.app);
    const subject = `account:${victim.email}`;
    const fromA = publishedEvents(a.app);
    const fromB = publishedEvents(b.app);
    const published = () => [...fromA, ...fromB].filter((e) => e.kind === 'brute-force' && e.subject === subject);

    // Two failures on each: below the threshold of 4 for either instance alone.
    for (const [t, ip] of [
      [a, '192.0.2.61'],
      [b, '192.0.2.62'],
      [a, '192.0.2.63'],
      [b, '192.0.2.64'],
    ] as const) {
      expect((await failLogin(t.app, victim.email, ip)).statusCode).toBe(401);
    }
    await expect.poll(() => published().length, { timeout: 10_000 }).toBe(1);
    expect(published()[0]).toMatchObject({ severity: 'high', count: 4 });
    expect(await direct.zcard(`${prefix}security:window:brute-force:${victim.email}`)).toBe(4);

    // A later failure on the other instance updates that event rather than opening another.
    await failLogin(a.app, victim.email, '192.0.2.65');
    await failLogin(b.app, victim.email, '192.0.2.66');
    await expect.poll(() => bruteForceRows(a.app, victim.email), { timeout: 10_000 }).toEqual([6]);
    expect(published()).toHaveLength(1);
  });

  it('detects in process on each instance while Redis is unreachable', async () => {
    const port = await closedPort();
    const offline = await buildTestApp({ redis: true, env: { ...DETECTION, REDIS_URL: `redis://127.0.0.1:${port}`, CACHE_KEY_PREFIX: prefix } });
    try {
      expect(offline.app.cache.redisClient()?.status).not.toBe('ready');
      const victim = await createUser(offline.app);
      const published = publishedEvents(offline.app);
      for (const ip of ['192.0.2.71', '192.0.2.72', '192.0.2.73', '192.0.2.74']) {
        expect((await failLogin(offline.app, victim.email, ip)).statusCode).toBe(401);
      }
      await expect.poll(() => published.filter((e) => e.subject === `account:${victim.email}`).length, { timeout: 10_000 }).toBe(1);
      expect(await bruteForceRows(offline.app, victim.email)).toEqual([4]);
      expect(await direct.exists(`${prefix}security:window:brute-force:${victim.email}`)).toBe(0);
    } finally {
      await offline.close();
    }
  });
});
