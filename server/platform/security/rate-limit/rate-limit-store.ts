/**
 * Counts requests per bucket. With Redis, counters are shared by every instance and updated
 * atomically (a Lua script per consume); when Redis fails or is slow the same decision is made by
 * an in-process limiter with the same policy, so limits still hold — per instance — instead of
 * failing open or closed. The Redis client is asked for on every call because the cache's
 * recovery action may replace it.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitedClass, RateLimitPolicy } from './rate-limit-policy.ts';

export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  resetSeconds: number;
  /** True for exactly one request per bucket and window: the first one refused. */
  firstRefusal: boolean;
  store: 'redis' | 'memory' | 'memory-fallback';
}

export interface RateLimitStoreOptions {
  policies: Record<LimitedClass, RateLimitPolicy>;
  redisClient: () => Redis | undefined;
  logger: Logger;
  /** A Redis answer slower than this is not waited for: the in-process limiter decides. */
  redisTimeoutMs?: number;
}

class RedisTimeoutError extends Error {}

export class RateLimitStore {
  readonly #policies: Record<LimitedClass, RateLimitPolicy>;
  readonly #redisClient: () => Redis | undefined;
  readonly #logger: Logger;
  readonly #redisTimeoutMs: number;
  readonly #memory = new Map<LimitedClass, RateLimiterMemory>();
  #redis = new Map<LimitedClass, RateLimiterRedis>();
  #client: Redis | undefined;
  #lastFallbackLog = 0;
  /** Decisions made in-process because Redis could not answer. */
  fallbackDecisions = 0;

  constructor({ policies, redisClient, logger, redisTimeoutMs = 500 }: RateLimitStoreOptions) {
    this.#policies = policies;
    this.#redisClient = redisClient;
    this.#logger = logger;
    this.#redisTimeoutMs = redisTimeoutMs;
  }

  get mode(): 'redis' | 'memory' {
    return this.#redisClient() ? 'redis' : 'memory';
  }

  async consume(name: LimitedClass, key: string): Promise<RateLimitDecision> {
    const policy = this.#policies[name];
    const redis = this.#redisLimiter(name);
    if (!redis) return this.#consumeLocally(name, key, 'memory');
    try {
      return this.#decide(policy, await withTimeout(redis.consume(key), this.#redisTimeoutMs), true, 'redis');
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return this.#decide(policy, outcome, false, 'redis');
      this.fallbackDecisions++;
      if (Date.now() - this.#lastFallbackLog > 30_000) {
        this.#lastFallbackLog = Date.now();
        this.#logger.warn({ err: outcome }, 'rate limiting in-process: Redis did not answer');
      }
      return this.#consumeLocally(name, key, 'memory-fallback');
    }
  }

  async #consumeLocally(name: LimitedClass, key: string, store: 'memory' | 'memory-fallback'): Promise<RateLimitDecision> {
    const policy = this.#policies[name];
    let limiter = this.#memory.get(name);
    if (!limiter) this.#memory.set(name, (limiter = new RateLimiterMemory({ keyPrefix: `rl:${name}`, points: policy.points, duration: policy.windowSeconds })));
    try {
      return this.#decide(policy, await limiter.consume(key), true, store);
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return this.#decide(policy, outcome, false, store);
      throw outcome;
    }
  }

  #redisLimiter(name: LimitedClass): RateLimiterRedis | undefined {
    const client = this.#redisClient();
    if (client !== this.#client) {
      this.#client = client;
      this.#redis = new Map();
    }
    if (!client) return undefined;
    let limiter = this.#redis.get(name);
    if (!limiter) {
      const policy = this.#policies[name];
      limiter = new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `rl:${name}`,
        points: policy.points,
        duration: policy.windowSeconds,
        // Go to the fallback at once while disconnected instead of waiting on a dead socket.
        rejectIfRedisNotReady: true,
      });
      this.#redis.set(name, limiter);
    }
    return limiter;
  }

  #decide(policy: RateLimitPolicy, res: RateLimiterRes, allowed: boolean, store: RateLimitDecision['store']): RateLimitDecision {
    return {
      allowed,
      remaining: res.remainingPoints,
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
      firstRefusal: !allowed && res.consumedPoints === policy.points + 1,
      store,
    };
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
