/** In-process LRU cache used when no REDIS_URL is configured. */
import { LRUCache } from 'lru-cache';
import type { Cache, CacheStats } from './cache.ts';

export function createMemoryCache({ maxEntries = 10_000 }: { maxEntries?: number } = {}): Cache {
  let hits = 0;
  let misses = 0;
  let evictions = 0;
  const store = new LRUCache<string, { value: unknown }>({
    max: maxEntries,
    ttlAutopurge: false,
    dispose: (_value, _key, reason) => {
      if (reason === 'evict') evictions++;
    },
  });

  return {
    kind: 'memory',
    async get<T>(key: string) {
      const entry = store.get(key);
      if (entry === undefined) {
        misses++;
        return undefined;
      }
      hits++;
      return entry.value as T;
    },
    async set(key, value, { ttlMs } = {}) {
      store.set(key, { value }, ttlMs ? { ttl: ttlMs } : {});
    },
    async delete(key) {
      store.delete(key);
    },
    async ready() {
      return true;
    },
    async ping() {
      return 0;
    },
    async stats(): Promise<CacheStats> {
      return {
        kind: 'memory',
        hits,
        misses,
        evictions,
        // Entries, not bytes, bound this cache; report a rough size so the health check has a number.
        memoryUsedBytes: store.size,
        memoryLimitBytes: maxEntries,
        evictionPolicy: 'lru',
        keys: store.size,
      };
    },
    redisClient() {
      return undefined;
    },
    dropLocal() {
      const dropped = store.size;
      store.clear();
      return dropped;
    },
    async recreate() {
      store.clear();
    },
    async close() {
      store.clear();
    },
  };
}
