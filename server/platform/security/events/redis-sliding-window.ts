/**
 * Sliding windows shared by every instance through Redis, so an attack spread over a cluster is
 * seen whole: one sorted set per detector and key (`security:window:<detector>:<key>` under the
 * cache's key prefix) scored by the observation time, trimmed, capped and counted by one Lua
 * script — one round trip per observation. When Redis fails or is slow the observation is counted
 * in an in-process window instead, so detection goes on per instance rather than stopping, and the
 * next observation tries Redis again (the rate limiter's policy). The client is asked for on every
 * call because the cache's recovery action may replace it.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Redis } from 'ioredis';
import { MemorySlidingWindow, type SlidingWindow, type SlidingWindowOptions, type SlidingWindows } from './sliding-window.ts';
import { withDeadline } from '../../../infra/deadline.ts';

/** Window keys are `${SLIDING_WINDOW_KEY}:<detector>:<key>`; the client adds CACHE_KEY_PREFIX. */
export const SLIDING_WINDOW_KEY = 'security:window';

// KEYS[1]: the window. ARGV: now, the newest score too old to keep, the member, the most members
// kept, the window in ms, the weight. Scores are the caller's clock, not Redis TIME, so time stays
// injectable. A weight above one (an aggregated audit record) adds that many members, suffixed
// `#2`, `#3`…; the caller caps it at the most members kept.
const OBSERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
for i = 2, tonumber(ARGV[6]) do
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3] .. '#' .. i)
end
local size = redis.call('ZCARD', KEYS[1])
local cap = tonumber(ARGV[4])
if size > cap then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, size - cap - 1)
  size = cap
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return size
`;

interface WindowCommands {
  watchkeeperObserveWindow(key: string, now: number, tooOld: number, member: string, maxMembers: number, windowMs: number, weight: number): Promise<number>;
}

export interface RedisSlidingWindowsOptions {
  /** The live client, or undefined when there is none (then every window counts in process). */
  redisClient: () => Redis | undefined;
  logger: Logger;
  /** A Redis answer slower than this is not waited for: the observation is counted in process. */
  timeoutMs?: number;
  /** Keys kept by each in-process fallback window. */
  maxKeys?: number;
}

class RedisUnavailableError extends Error {}

export function createRedisSlidingWindows({ redisClient, logger, timeoutMs = 500, maxKeys = 10_000 }: RedisSlidingWindowsOptions): SlidingWindows {
  const defined = new WeakSet<Redis>();
  let lastFallbackLog = 0;
  let degraded = false;

  async function observeInRedis(
    key: string,
    member: string,
    now: number,
    weight: number,
    { windowMs, maxHits }: Required<SlidingWindowOptions>,
  ): Promise<number> {
    const client = redisClient();
    // Not connected: with enableOfflineQueue off the command would be refused anyway; skip the try.
    if (client?.status !== 'ready') throw new RedisUnavailableError(`Redis is ${client?.status ?? 'not configured'}`);
    if (!defined.has(client)) {
      // EVALSHA, falling back to EVAL once per connection; the key gets the client's prefix.
      client.defineCommand('watchkeeperObserveWindow', { numberOfKeys: 1, lua: OBSERVE });
      defined.add(client);
    }
    const observed = (client as unknown as WindowCommands).watchkeeperObserveWindow(
      key,
      now,
      now - windowMs,
      member,
      maxHits,
      windowMs,
      Math.max(1, Math.min(weight, maxHits)),
    );
    return Number(await withTimeout(observed, timeoutMs));
  }

  async function observe(
    key: string,
    member: string,
    now: number,
    weight: number,
    options: Required<SlidingWindowOptions>,
    locally: () => Promise<number>,
  ): Promise<number> {
    try {
      const count = await observeInRedis(key, member, now, weight, options);
      if (degraded) {
        degraded = false;
        logger.info('security detection counts in Redis again');
      }
      return count;
    } catch (error) {
      degraded = true;
      if (Date.now() - lastFallbackLog > 60_000) {
        lastFallbackLog = Date.now();
        logger.warn({ err: error }, 'security detection counts in process: Redis did not answer');
      }
      return locally();
    }
  }

  return (name, { windowMs, maxHits = 1_000 }) => {
    const options = { windowMs, maxHits };
    // Hits seen while Redis is away; they stay on this instance and are not replayed into Redis.
    const local = new MemorySlidingWindow({ ...options, maxKeys });
    const keyOf = (key: string) => `${SLIDING_WINDOW_KEY}:${name}:${key}`;
    return {
      count: (key, now, weight = 1) => observe(keyOf(key), `${now}:${randomUUID()}`, now, weight, options, () => local.count(key, now, weight)),
      // The value is the member, so a repeated value only refreshes its score: ZCARD counts distinct values.
      distinct: (key, value, now) => observe(keyOf(key), value, now, 1, options, () => local.distinct(key, value, now)),
    } satisfies SlidingWindow;
  };
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return withDeadline(promise, timeoutMs, () => new RedisUnavailableError(`Redis did not answer within ${timeoutMs} ms`));
}
