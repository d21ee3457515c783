/**
 * The cache (Redis or the in-process LRU), from `cache.stats()` when scraped: one read (with Redis,
 * one INFO round trip, bounded by REDIS_COMMAND_TIMEOUT_MS) shared by every family of a scrape.
 * While the store does not answer, only `watchkeeper_cache_up 0` is exported.
 */
import type { Registry } from 'prom-client';
import type { Cache, CacheStats } from '../../../infra/cache/index.ts';
import { ScrapeTimeMetric, sharedRead, type MetricType } from '../../../platform/metrics/index.ts';

export function registerCacheMetrics({ registry, cache }: { registry: Registry; cache: Cache }): void {
  const read = sharedRead(() => cache.stats());
  const stats = (): Promise<CacheStats | undefined> => read().catch(() => undefined);
  new ScrapeTimeMetric({
    name: 'watchkeeper_cache_up',
    help: 'Whether the cache answered its statistics at this scrape (1) or not (0)',
    type: 'gauge',
    collect: async () => [{ labels: { kind: cache.kind }, value: (await stats()) ? 1 : 0 }],
    registers: [registry],
  });
  const family = (name: string, help: string, type: MetricType, pick: (s: CacheStats) => number) =>
    new ScrapeTimeMetric({
      name,
      help,
      type,
      collect: async () => {
        const current = await stats();
        return current ? [{ labels: { kind: current.kind }, value: pick(current) }] : [];
      },
      registers: [registry],
    });
  family('watchkeeper_cache_hits_total', 'Cache reads that found their key (this instance)', 'counter', (s) => s.hits);
  family('watchkeeper_cache_misses_total', 'Cache reads that did not find their key (this instance)', 'counter', (s) => s.misses);
  family('watchkeeper_cache_evictions_total', 'Keys the store evicted to stay within its memory (Redis: the whole server)', 'counter', (s) => s.evictions);
  family('watchkeeper_cache_keys', 'Keys in the store', 'gauge', (s) => s.keys);
  family('watchkeeper_cache_memory_used_bytes', 'Memory the store uses (the in-process cache: its entry count)', 'gauge', (s) => s.memoryUsedBytes);
  family(
    'watchkeeper_cache_memory_limit_bytes',
    'The store’s memory limit, 0 when it has none (the in-process cache: its entry bound)',
    'gauge',
    (s) => s.memoryLimitBytes,
  );
}
