/** The cache (Redis or in-process LRU): reachability, latency, memory, hit ratio and evictions. */
import type { Cache } from '../../../infra/cache/index.ts';
import type { ProbeDefinition } from '../../../platform/probes/index.ts';

export function createCacheProbe({
  cache,
  intervalMs,
  timeoutMs,
  memoryWarnPercent = 90,
}: {
  cache: Cache;
  intervalMs?: number;
  timeoutMs?: number;
  memoryWarnPercent?: number;
}): ProbeDefinition {
  return {
    id: 'cache',
    componentType: 'datastore',
    componentId: cache.kind === 'redis' ? 'redis' : 'in-process-lru',
    // Watchkeeper works without its cache (slower): a cache outage degrades, it does not stop traffic.
    critical: false,
    intervalMs,
    timeoutMs,
    async check() {
      const pingMs = await cache.ping();
      const stats = await cache.stats();
      const lookups = stats.hits + stats.misses;
      const usedPercent = stats.memoryLimitBytes > 0 ? (stats.memoryUsedBytes / stats.memoryLimitBytes) * 100 : undefined;
      const memoryHigh = usedPercent !== undefined && usedPercent >= memoryWarnPercent;
      const unit = stats.kind === 'redis' ? 'bytes' : 'entries';
      return {
        measurements: [
          { name: 'ping', observedValue: Math.round(pingMs * 1000) / 1000, observedUnit: 'ms', status: 'pass' },
          {
            name: 'memory',
            observedValue: {
              used: stats.memoryUsedBytes,
              limit: stats.memoryLimitBytes,
              usedPercent: usedPercent === undefined ? null : Math.round(usedPercent * 10) / 10,
            },
            observedUnit: unit,
            status: memoryHigh ? 'warn' : 'pass',
            ...(memoryHigh ? { output: `cache memory at ${usedPercent!.toFixed(1)}% of its limit` } : {}),
          },
          {
            name: 'hitRatio',
            observedValue: lookups === 0 ? null : Math.round((stats.hits / lookups) * 10_000) / 100,
            observedUnit: 'percent',
            status: 'pass',
          },
          { name: 'evictions', observedValue: stats.evictions, observedUnit: 'count', status: 'pass' },
          { name: 'evictionPolicy', observedValue: stats.evictionPolicy, status: 'pass' },
          { name: 'keys', observedValue: stats.keys, observedUnit: 'count', status: 'pass' },
        ],
      };
    },
    recover: {
      action: 'recreate the cache client',
      async run() {
        await cache.recreate();
        return cache.kind === 'redis' ? 'disconnected and recreated the Redis client' : 'cleared the in-process cache';
      },
    },
  };
}
