import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailability, testRedisUrl, uniqueName } from '../../../../test/helpers.ts';
import { proxyTo, type TcpProxy } from '../../../../test/tcp-proxy.ts';
import { createRedisCache, type Cache } from '../../../infra/cache/index.ts';
import { createRedisSlidingWindows } from './redis-sliding-window.ts';

const redis = redisAvailability();
const MINUTE = 60_000;

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe.skipIf(!redis.available)(`sliding windows in Redis ${redis.reason}`, () => {
  let direct: Redis;
  const caches: Cache[] = [];
  const proxies: TcpProxy[] = [];
  const prefixes: string[] = [];

  async function cacheAt(url: string, keyPrefix = `${uniqueName('wk_test')}:`) {
    const cache = createRedisCache({ url, keyPrefix, logger: pino({ level: 'silent' }) });
    caches.push(cache);
    prefixes.push(keyPrefix);
    await cache.ready(5_000);
    return { cache, keyPrefix };
  }

  /** Windows as one instance would make them, over a cache of its own. */
  async function instance({ url = testRedisUrl()!, keyPrefix, timeoutMs }: { url?: string; keyPrefix?: string; timeoutMs?: number } = {}) {
    const { cache, keyPrefix: prefix } = await cacheAt(url, keyPrefix);
    const { logger, lines } = capturingLogger();
    const windows = createRedisSlidingWindows({ redisClient: () => cache.redisClient(), logger, timeoutMs });
    return { windows, prefix, lines };
  }

  async function proxied() {
    const proxy = await proxyTo(testRedisUrl()!);
    proxies.push(proxy);
    return proxy;
  }

  beforeAll(() => {
    direct = new Redis(testRedisUrl()!);
  });
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((c) => c.close()));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    for (const prefix of prefixes.splice(0)) {
      const keys = await direct.keys(`${prefix}*`);
      if (keys.length > 0) await direct.del(...keys);
    }
  });
  afterAll(() => direct.quit());

  it('counts the hits of every instance in one sorted set per detector and key, expiring with the window', async () => {
    const a = await instance();
    const b = await instance({ keyPrefix: a.prefix });
    const fromA = a.windows('brute-force', { windowMs: 10 * MINUTE });
    const fromB = b.windows('brute-force', { windowMs: 10 * MINUTE });
    const now = Date.now();
    expect(await fromA.count('a@example.test', now)).toBe(1);
    expect(await fromB.count('a@example.test', now)).toBe(2);
    expect(await fromA.count('a@example.test', now + 1)).toBe(3);
    expect(await fromB.count('b@example.test', now + 2)).toBe(1);

    const key = `${a.prefix}security:window:brute-force:a@example.test`;
    expect(await direct.zcard(key)).toBe(3);
    const ttl = await direct.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10 * MINUTE);
  });

  it('counts a weighted hit (an aggregated audit record) as that many, capped at maxHits', async () => {
    const a = await instance();
    const b = await instance({ keyPrefix: a.prefix });
    const fromA = a.windows('permission-denials', { windowMs: MINUTE, maxHits: 50 });
    const fromB = b.windows('permission-denials', { windowMs: MINUTE, maxHits: 50 });
    expect(await fromA.count('u', 0)).toBe(1);
    expect(await fromB.count('u', 1, 9)).toBe(10);
    expect(await fromA.count('u', 2, 1_000)).toBe(50);
  });

  it('keeps the windows of different detectors apart', async () => {
    const { windows } = await instance();
    expect(await windows('brute-force', { windowMs: MINUTE }).count('k', 0)).toBe(1);
    expect(await windows('ip-rule-denials', { windowMs: MINUTE }).count('k', 0)).toBe(1);
  });

  it('counts distinct values: a repeated one only once, whichever instance saw it', async () => {
    const a = await instance();
    const b = await instance({ keyPrefix: a.prefix });
    const fromA = a.windows('password-spraying', { windowMs: MINUTE });
    const fromB = b.windows('password-spraying', { windowMs: MINUTE });
    expect(await fromA.distinct('ip:192.0.2.1', 'a@example.test', 0)).toBe(1);
    expect(await fromB.distinct('ip:192.0.2.1', 'a@example.test', 1)).toBe(1);
    expect(await fromB.distinct('ip:192.0.2.1', 'b@example.test', 2)).toBe(2);
    expect(await fromA.distinct('ip:192.0.2.2', 'b@example.test', 3)).toBe(1);
  });

  it('forgets what is older than the window, by the times it is given', async () => {
    const { windows } = await instance();
    const window = windows('permission-denials', { windowMs: MINUTE });
    const spray = windows('password-spraying', { windowMs: MINUTE });
    expect(await window.count('u', 0)).toBe(1);
    expect(await window.count('u', 30_000)).toBe(2);
    // The hit at 0 is exactly one window old: out, as in process.
    expect(await window.count('u', 60_000)).toBe(2);
    expect(await window.count('u', 200_000)).toBe(1);

    await spray.distinct('ip', 'x', 0);
    await spray.distinct('ip', 'y', 10_000);
    // Seeing x again refreshes it; y ages out.
    expect(await spray.distinct('ip', 'x', 50_000)).toBe(2);
    expect(await spray.distinct('ip', 'z', 75_000)).toBe(2);
  });

  it('keeps at most maxHits per key, the newest, so a flood is bounded', async () => {
    const { windows, prefix } = await instance();
    const window = windows('brute-force', { windowMs: MINUTE, maxHits: 3 });
    for (let i = 0; i < 10; i++) await window.count('flood', i);
    expect(await window.count('flood', 11)).toBe(3);
    const scores = await direct.zrange(`${prefix}security:window:brute-force:flood`, 0, -1, 'WITHSCORES');
    expect(scores.filter((_, i) => i % 2 === 1).map(Number)).toEqual([8, 9, 11]);
  });

  it('counts in process while Redis is unreachable, warns once, and goes back to Redis when it returns', async () => {
    const proxy = await proxied();
    const { windows, prefix, lines } = await instance({ url: proxy.url(testRedisUrl()!) });
    const window = windows('brute-force', { windowMs: MINUTE });
    const key = `${prefix}security:window:brute-force:victim`;
    expect(await window.count('victim', 0)).toBe(1);

    await proxy.cut();
    expect(await window.count('victim', 1)).toBe(1);
    expect(await window.count('victim', 2)).toBe(2);
    expect(await window.count('victim', 3)).toBe(3);
    expect(lines.filter((line) => line.level === 40).map((line) => line.msg)).toEqual(['security detection counts in process: Redis did not answer']);
    expect(await direct.zcard(key)).toBe(1);

    // Back in Redis, which holds what it was told before the cut and what comes after, not what was counted in process.
    await proxy.restore();
    let at = 4;
    await expect.poll(async () => (await window.count('victim', at++)) === (await direct.zcard(key)), { timeout: 10_000 }).toBe(true);
    expect(await window.count('victim', at)).toBe(await direct.zcard(key));
    expect(await direct.zcard(key)).toBeGreaterThanOrEqual(3);
    expect(lines.map((line) => line.msg)).toContain('security detection counts in Redis again');
  });

  it('does not wait long on a Redis that stopped answering', async () => {
    const proxy = await proxied();
    const { windows } = await instance({ url: proxy.url(testRedisUrl()!), timeoutMs: 200 });
    const window = windows('ip-rule-denials', { windowMs: MINUTE });
    expect(await window.count('ip:203.0.113.1', 0)).toBe(1);
    proxy.freeze();
    try {
      const started = performance.now();
      expect(await window.count('ip:203.0.113.1', 1)).toBe(1);
      expect(await window.count('ip:203.0.113.1', 2)).toBe(2);
      expect(performance.now() - started).toBeLessThan(2_000);
    } finally {
      proxy.thaw();
    }
  });
});
