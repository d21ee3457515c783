import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import pino from 'pino';
import { isCI, redisAvailability, testRedisUrl, uniqueName } from '../../../test/helpers.ts';
import { proxyTo, type TcpProxy } from '../../../test/tcp-proxy.ts';
import type { Cache } from './cache.ts';
import { CircuitOpenError } from '../circuit-breaker.ts';
import { createRedisCache } from './redis-cache.ts';

const redis = redisAvailability();
const logger = pino({ level: 'silent' });
// A test that stops a Redis needs one of its own; CI installs redis-server, so there it never skips.
const hasRedisServer = isCI || spawnSync('redis-server', ['--version']).status === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** A throwaway redis-server of this test's own, which it may stop (SIGSTOP) and kill: never the shared one. */
async function ownRedisServer(): Promise<{ url: string; process: ChildProcess; kill(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 100 });
  probe.on('error', () => {}); // refused until the server listens
  await vi.waitFor(() => probe.ping(), { timeout: 10_000, interval: 100 });
  probe.disconnect();
  return {
    url,
    process: child,
    async kill() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

describe.skipIf(!redis.available)(`Redis cache ${redis.reason}`, () => {
  let direct: Redis;
  const caches: Cache[] = [];
  const proxies: TcpProxy[] = [];
  const servers: Array<Awaited<ReturnType<typeof ownRedisServer>>> = [];

  function cacheAt(url: string, keyPrefix = `${uniqueName('wk_test')}:`, bounds: { commandTimeoutMs?: number; circuitCooldownMs?: number } = {}) {
    const cache = createRedisCache({ url, keyPrefix, logger, ...bounds });
    caches.push(cache);
    return { cache, keyPrefix };
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
    // Here rather than in the test, so that a test timing out does not leave its server behind.
    await Promise.all(servers.splice(0).map((s) => s.kill()));
  });
  afterAll(() => direct.quit());

  it('stores JSON values under its key prefix, with a TTL when asked', async () => {
    const { cache, keyPrefix } = cacheAt(testRedisUrl()!);
    expect(await cache.ready(5_000)).toBe(true);
    await cache.set('user:1', { name: 'Ada', roles: ['admin'] });
    await cache.set('session', 'abc', { ttlMs: 60_000 });
    expect(await cache.get('user:1')).toEqual({ name: 'Ada', roles: ['admin'] });
    expect(await direct.get(`${keyPrefix}user:1`)).toBe('{"name":"Ada","roles":["admin"]}');
    const ttl = await direct.pttl(`${keyPrefix}session`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await cache.delete('user:1');
    expect(await cache.get('user:1')).toBeUndefined();
    await direct.del(`${keyPrefix}session`);
  });

  it('reports round trip, memory, eviction policy and its own hit ratio', async () => {
    const { cache } = cacheAt(testRedisUrl()!);
    await cache.ready(5_000);
    await cache.set('k', 1);
    await cache.get('k');
    await cache.get('absent');
    expect(await cache.ping()).toEqual(expect.any(Number));
    const stats = await cache.stats();
    expect(stats).toMatchObject({ kind: 'redis', hits: 1, misses: 1, evictionPolicy: expect.any(String) });
    expect(stats.memoryUsedBytes).toBeGreaterThan(0);
    expect(stats.keys).toBeGreaterThanOrEqual(1);
    await cache.delete('k');
  });

  it('is not ready, and fails fast instead of queueing, when Redis is unreachable', async () => {
    const proxy = await proxied();
    await proxy.cut();
    const { cache } = cacheAt(proxy.url(testRedisUrl()!));
    expect(await cache.ready(300)).toBe(false);
    await expect(cache.ping()).rejects.toThrow();
    await expect(cache.get('k')).rejects.toThrow();
    await expect(cache.set('k', 1)).rejects.toThrow();
  });

  it('reconnects by itself when Redis comes back', async () => {
    const proxy = await proxied();
    const { cache } = cacheAt(proxy.url(testRedisUrl()!));
    expect(await cache.ready(5_000)).toBe(true);
    await proxy.cut();
    await expect(cache.ping()).rejects.toThrow();
    await proxy.restore();
    expect(await cache.ready(10_000)).toBe(true);
    expect(await cache.ping()).toEqual(expect.any(Number));
  });

  it('recreates its client on demand, releasing commands stuck on the old connection', async () => {
    const proxy = await proxied();
    const { cache } = cacheAt(proxy.url(testRedisUrl()!));
    await cache.ready(5_000);
    proxy.freeze();
    const stuck = cache.ping().then(
      () => 'answered',
      (error: Error) => `rejected: ${error.message}`,
    );
    await cache.recreate();
    expect(await stuck).toMatch(/^rejected/);
    proxy.thaw();
    expect(await cache.ready(10_000)).toBe(true);
    expect(await cache.ping()).toEqual(expect.any(Number));
  });

  it('bounds a command when Redis stops answering, then refuses every further one at once without sending it', async () => {
    const proxy = await proxied();
    const { cache } = cacheAt(proxy.url(testRedisUrl()!), undefined, { commandTimeoutMs: 200, circuitCooldownMs: 60_000 });
    expect(await cache.ready(5_000)).toBe(true);
    proxy.freeze();
    await expect(cache.get('k')).rejects.toThrow('Command timed out');
    const sent = proxy.bytesFromClients;
    await expect(cache.get('k')).rejects.toThrow(CircuitOpenError);
    await expect(cache.set('k', 1)).rejects.toThrow(CircuitOpenError);
    await expect(cache.ping()).rejects.toThrow(CircuitOpenError);
    // The raw client handed to the rate limiter and the others fails fast the same way.
    await expect(cache.redisClient()!.incr('counter')).rejects.toThrow(CircuitOpenError);
    expect(proxy.bytesFromClients).toBe(sent);
  });

  it('probes again after the cooldown and serves as before once Redis answers', async () => {
    const proxy = await proxied();
    const { cache } = cacheAt(proxy.url(testRedisUrl()!), undefined, { commandTimeoutMs: 200, circuitCooldownMs: 300 });
    expect(await cache.ready(5_000)).toBe(true);
    proxy.freeze();
    await expect(cache.get('k')).rejects.toThrow('Command timed out');
    await expect(cache.get('k')).rejects.toThrow(CircuitOpenError);
    proxy.thaw();
    await vi.waitFor(async () => expect(await cache.ping()).toEqual(expect.any(Number)), { timeout: 10_000, interval: 100 });
    await cache.set('k', 'back');
    expect(await cache.get('k')).toBe('back');
    await cache.delete('k');
  });

  it.skipIf(!hasRedisServer)('bounds commands to a stopped (SIGSTOP) redis-server, and serves again once it continues', async () => {
    const server = await ownRedisServer();
    servers.push(server);
    const { cache } = cacheAt(server.url, undefined, { commandTimeoutMs: 200, circuitCooldownMs: 300 });
    expect(await cache.ready(5_000)).toBe(true);
    await cache.set('k', 'before');
    server.process.kill('SIGSTOP');
    await expect(cache.get('k')).rejects.toThrow('Command timed out');
    await expect(cache.get('k')).rejects.toThrow(CircuitOpenError);
    server.process.kill('SIGCONT');
    await vi.waitFor(async () => expect(await cache.get('k')).toBe('before'), { timeout: 10_000, interval: 100 });
  });

  it('closes even when Redis has stopped answering', async () => {
    const proxy = await proxied();
    const { cache } = cacheAt(proxy.url(testRedisUrl()!));
    expect(await cache.ready(5_000)).toBe(true);
    proxy.freeze();
    caches.splice(caches.indexOf(cache), 1);
    await cache.close();
  });

  it('closes when Redis is unreachable', async () => {
    const proxy = await proxied();
    await proxy.cut();
    const { cache } = cacheAt(proxy.url(testRedisUrl()!));
    caches.splice(caches.indexOf(cache), 1);
    await cache.close();
  });
});
