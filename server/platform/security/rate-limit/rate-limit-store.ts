/**
 * Counts requests per bucket. With Redis, counters are shared by every instance and updated
 * atomically (a Lua script per consume); when Redis fails or is slow, rate-limiter-flexible's own
 * timeout wrapper hands the decision to its insurance limiter, an in-process one with the same
 * policy, so limits still hold — per instance — instead of failing open or closed. After such a
 * failure Redis is left alone for a pause (a circuit breaker): every request meanwhile is decided
 * in process at once, rather than each paying the timeout on a Redis that stopped answering; then
 * one request tries Redis again. The Redis client is asked for on every call because the cache's
 * recovery action may replace it.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts } from 'rate-limiter-flexible';
import type { LimitedClass, RateLimitPolicy } from './rate-limit-policy.ts';

export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  resetSeconds: number;
  store: 'redis' | 'memory' | 'memory-fallback';
}

export interface RateLimitStoreOptions {
  policies: Record<LimitedClass, RateLimitPolicy>;
  redisClient: () => Redis | undefined;
  logger: Logger;
  /** A Redis answer slower than this is not waited for: the in-process limiter decides. */
  redisTimeoutMs?: number;
  /** After Redis failed or timed out, how long every decision is made in process before Redis is tried again. */
  retryRedisAfterMs?: number;
}

type ConsumeOptions = Record<string, unknown>;

/** The in-process limiter, which notes the calls it answers for the Redis one. */
class InsuranceLimiter extends RateLimiterMemory {
  readonly answered = new WeakSet<ConsumeOptions>();

  override consume(key: string | number, points?: number, options: ConsumeOptions = {}): Promise<RateLimiterRes> {
    this.answered.add(options);
    return super.consume(key, points, options);
  }
}

export class RateLimitStore {
  readonly #policies: Record<LimitedClass, RateLimitPolicy>;
  readonly #redisClient: () => Redis | undefined;
  readonly #logger: Logger;
  readonly #redisTimeoutMs: number;
  readonly #retryRedisAfterMs: number;
  readonly #memory = new Map<LimitedClass, InsuranceLimiter>();
  #redis = new Map<LimitedClass, RLWrapperTimeouts>();
  #client: Redis | undefined;
  /** While now is before this, Redis is not asked (0: it is). */
  #pausedUntil = 0;
  #trying = false;
  /** Decisions made in-process because Redis could not answer. */
  fallbackDecisions = 0;
  /** Times Redis failed or timed out when asked. */
  redisFailures = 0;

  constructor({ policies, redisClient, logger, redisTimeoutMs = 500, retryRedisAfterMs = 5_000 }: RateLimitStoreOptions) {
    this.#policies = policies;
    this.#redisClient = redisClient;
    this.#logger = logger;
    this.#redisTimeoutMs = redisTimeoutMs;
    this.#retryRedisAfterMs = retryRedisAfterMs;
  }

  get mode(): 'redis' | 'memory' {
    return this.#redisClient() ? 'redis' : 'memory';
  }

  /** Whether decisions are being made in process for want of Redis (its pause after a failure). */
  get usingFallback(): boolean {
    return Date.now() < this.#pausedUntil && this.mode === 'redis';
  }

  async consume(name: LimitedClass, key: string): Promise<RateLimitDecision> {
    const memory = this.#memoryLimiter(name);
    const redis = this.#redisLimiter(name);
    if (!redis) return this.#settle(memory.consume(key), 'memory');
    // Paused, or another request is already finding out whether Redis is back.
    if (Date.now() < this.#pausedUntil || this.#trying) {
      this.fallbackDecisions++;
      return this.#settle(memory.consume(key), 'memory-fallback');
    }
    const retrying = this.#pausedUntil > 0;
    this.#trying = retrying;
    const options: ConsumeOptions = {};
    try {
      const decision = await this.#settle(redis.consume(key, 1, options), 'redis');
      if (!memory.answered.has(options)) {
        if (retrying) this.#logger.info('rate limiting in Redis again');
        this.#pausedUntil = 0;
        return decision;
      }
      this.redisFailures++;
      this.fallbackDecisions++;
      if (!retrying) this.#logger.warn({ retryInMs: this.#retryRedisAfterMs }, 'rate limiting in-process: Redis did not answer');
      this.#pausedUntil = Date.now() + this.#retryRedisAfterMs;
      return { ...decision, store: 'memory-fallback' };
    } finally {
      if (retrying) this.#trying = false;
    }
  }

  async #settle(consumed: Promise<RateLimiterRes>, store: RateLimitDecision['store']): Promise<RateLimitDecision> {
    try {
      return decide(await consumed, true, store);
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return decide(outcome, false, store);
      throw outcome;
    }
  }

  #memoryLimiter(name: LimitedClass): InsuranceLimiter {
    let limiter = this.#memory.get(name);
    if (!limiter) {
      const policy = this.#policies[name];
      this.#memory.set(name, (limiter = new InsuranceLimiter({ keyPrefix: `rl:${name}`, points: policy.points, duration: policy.windowSeconds })));
    }
    return limiter;
  }

  #redisLimiter(name: LimitedClass): RLWrapperTimeouts | undefined {
    const client = this.#redisClient();
    if (client !== this.#client) {
      this.#client = client;
      this.#redis = new Map();
    }
    if (!client) return undefined;
    let limiter = this.#redis.get(name);
    if (!limiter) {
      const policy = this.#policies[name];
      const shared = new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `rl:${name}`,
        points: policy.points,
        duration: policy.windowSeconds,
        // Go to the insurance at once while disconnected instead of waiting on a dead socket.
        rejectIfRedisNotReady: true,
      });
      // The insurance sits on the wrapper only: on the Redis limiter too, an error arriving after
      // the timeout would be counted in memory a second time.
      limiter = new RLWrapperTimeouts({ limiter: shared, timeoutMs: this.#redisTimeoutMs, insuranceLimiter: this.#memoryLimiter(name) });
      this.#redis.set(name, limiter);
    }
    return limiter;
  }
}

function decide(res: RateLimiterRes, allowed: boolean, store: RateLimitDecision['store']): RateLimitDecision {
  return { allowed, remaining: res.remainingPoints, resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)), store };
}
