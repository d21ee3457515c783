/** The `cache` plugin: Redis when REDIS_URL is set, an in-process LRU otherwise. */
import fp from 'fastify-plugin';
import type { Config } from '../config/index.ts';
import type { Cache } from './cache.ts';
import { createMemoryCache } from './memory-cache.ts';
import { createRedisCache } from './redis-cache.ts';

export type { Cache, CacheStats } from './cache.ts';
export { createMemoryCache, createRedisCache };

declare module 'fastify' {
  interface FastifyInstance {
    cache: Cache;
  }
}

export const cachePlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const cache = config.cache.redisUrl
      ? createRedisCache({
          url: config.cache.redisUrl,
          keyPrefix: config.cache.keyPrefix,
          logger: app.log.child({ component: 'redis' }),
          tlsCaFile: config.cache.redisTlsCaFile,
          commandTimeoutMs: config.cache.commandTimeoutMs,
          circuitCooldownMs: config.cache.circuitCooldownMs,
        })
      : createMemoryCache({ maxEntries: config.cache.maxEntries });
    if (config.cache.redisTlsCaFile && !config.cache.redisUrl?.startsWith('rediss:'))
      app.log.warn('REDIS_TLS_CA_FILE is set but REDIS_URL is not a rediss:// URL; the CA is not used');
    app.decorate('cache', cache);
    // Start even when Redis is away (the cache health check reports it), but give it a moment.
    if (!(await cache.ready(2_000))) app.log.warn('redis is not reachable yet; continuing degraded');
    app.addHook('onClose', () => cache.close());
  },
  { name: 'cache' },
);
