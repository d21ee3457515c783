import { describe, expect, it } from 'vitest';
import { createMemoryCache } from './memory-cache.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('in-process cache', () => {
  it('stores values by key and counts hits and misses', async () => {
    const cache = createMemoryCache();
    await cache.set('a', { n: 1 });
    expect(await cache.get('a')).toEqual({ n: 1 });
    expect(await cache.get('missing')).toBeUndefined();
    await cache.delete('a');
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.stats()).toMatchObject({ kind: 'memory', hits: 1, misses: 2, keys: 0, evictionPolicy: 'lru' });
  });

  it('expires an entry after its TTL', async () => {
    const cache = createMemoryCache();
    await cache.set('short', 'x', { ttlMs: 20 });
    await cache.set('long', 'y');
    await sleep(60);
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('long')).toBe('y');
  });

  it('evicts the least recently used entry beyond its capacity and counts it', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.get('a');
    await cache.set('c', 3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.stats()).toMatchObject({ evictions: 1, keys: 2, memoryUsedBytes: 2, memoryLimitBytes: 2 });
  });

  it('drops its entries under memory pressure, saying how many', async () => {
    const cache = createMemoryCache();
    await cache.set('a', 1);
    await cache.set('b', 2);
    expect(cache.dropLocal()).toBe(2);
    expect(await cache.get('a')).toBeUndefined();
    expect(cache.dropLocal()).toBe(0);
  });

  it('is always ready and answers a ping without I/O', async () => {
    const cache = createMemoryCache();
    expect(cache.kind).toBe('memory');
    expect(await cache.ready(1)).toBe(true);
    expect(await cache.ping()).toBe(0);
    await cache.close();
  });
});
