/** One small cache interface, implemented by Redis (shared across instances) and an in-process LRU. */
import type { Redis } from 'ioredis';

export interface CacheStats {
  kind: 'redis' | 'memory';
  hits: number;
  misses: number;
  evictions: number;
  memoryUsedBytes: number;
  /** 0 when the store has no limit configured. */
  memoryLimitBytes: number;
  evictionPolicy: string;
  keys: number;
}

export interface Cache {
  readonly kind: 'redis' | 'memory';
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, options?: { ttlMs?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Resolves true once connected, false if not connected within the timeout. */
  ready(timeoutMs: number): Promise<boolean>;
  /** Round trip to the store; resolves with the latency in milliseconds or rejects. */
  ping(): Promise<number>;
  stats(): Promise<CacheStats>;
  /** Drop the in-process entries (memory pressure relief); a no-op for Redis. */
  dropLocal(): number;
  /**
   * The live Redis client, for features that need Redis itself (atomic rate-limit counters);
   * undefined for the in-process cache. `recreate()` replaces it, so ask again rather than keep it.
   */
  redisClient(): Redis | undefined;
  /** Throw away the client and connect a fresh one (recovery action). */
  recreate(): Promise<void>;
  close(): Promise<void>;
}
