/** Redis-backed cache: values are JSON, every key carries the configured prefix. */
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Cache, CacheStats } from './cache.ts';

function infoField(info: string, field: string): string | undefined {
  const prefix = `${field}:`;
  return info.split('\n').find((line) => line.startsWith(prefix))?.slice(prefix.length).trim();
}

export function createRedisCache({ url, keyPrefix, logger, tlsCaFile }: { url: string; keyPrefix: string; logger: Logger; tlsCaFile?: string }): Cache {
  let hits = 0;
  let misses = 0;
  let lastErrorLogged = 0;
  const options: RedisOptions = {
    keyPrefix,
    // Fail fast while Redis is away instead of queueing commands: callers degrade, health reports it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // rediss:// turns TLS on; a private CA verifies the server's certificate.
    ...(tlsCaFile && url.startsWith('rediss:') ? { tls: { ca: readFileSync(tlsCaFile) } } : {}),
  };
  const connect = () => {
    const client = new Redis(url, options);
    client.on('error', (error) => {
      // ioredis emits an error per reconnect attempt; one log line per 30 s is enough.
      if (Date.now() - lastErrorLogged > 30_000) {
        lastErrorLogged = Date.now();
        logger.warn({ err: error }, 'redis connection error');
      }
    });
    return client;
  };
  let client = connect();

  return {
    kind: 'redis',
    async get<T>(key: string) {
      const raw = await client.get(key);
      if (raw === null) {
        misses++;
        return undefined;
      }
      hits++;
      return JSON.parse(raw) as T;
    },
    async set(key, value, { ttlMs } = {}) {
      const raw = JSON.stringify(value);
      if (ttlMs) await client.set(key, raw, 'PX', ttlMs);
      else await client.set(key, raw);
    },
    async delete(key) {
      await client.del(key);
    },
    async ready(timeoutMs) {
      if (client.status === 'ready') return true;
      const current = client;
      return new Promise<boolean>((resolveReady) => {
        const timer = setTimeout(() => finish(false), timeoutMs);
        const onReady = () => finish(true);
        function finish(ok: boolean) {
          clearTimeout(timer);
          current.off('ready', onReady);
          resolveReady(ok);
        }
        current.once('ready', onReady);
      });
    },
    async ping() {
      const started = performance.now();
      await client.ping();
      return performance.now() - started;
    },
    async stats(): Promise<CacheStats> {
      const [memory, stats, keys] = await Promise.all([client.info('memory'), client.info('stats'), client.dbsize()]);
      return {
        kind: 'redis',
        hits,
        misses,
        evictions: Number(infoField(stats, 'evicted_keys') ?? 0),
        memoryUsedBytes: Number(infoField(memory, 'used_memory') ?? 0),
        memoryLimitBytes: Number(infoField(memory, 'maxmemory') ?? 0),
        evictionPolicy: infoField(memory, 'maxmemory_policy') ?? 'unknown',
        keys,
      };
    },
    redisClient() {
      return client;
    },
    dropLocal() {
      return 0;
    },
    async recreate() {
      const previous = client;
      client = connect();
      previous.disconnect();
    },
    async close() {
      // QUIT waits for Redis to answer: one that has stopped answering must not hold up shutdown.
      const current = client;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        current.quit().catch(() => undefined),
        new Promise((resolveWait) => (timer = setTimeout(resolveWait, 1_000))),
      ]);
      clearTimeout(timer);
      current.disconnect();
    },
  };
}
