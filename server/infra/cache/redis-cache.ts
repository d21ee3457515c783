/**
 * Redis-backed cache: values are JSON, every key carries the configured prefix. Every command is
 * bounded (`commandTimeoutMs`), and one that times out opens a circuit breaker shared by everything
 * using this client — the cache, the rate limiter, security detection, audit anchors — so that a
 * frozen Redis costs one timeout, not one per request: while open, commands are refused at once.
 */
import { readFileSync } from 'node:fs';
import { Redis, ReplyError, type Command, type RedisOptions } from 'ioredis';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Cache, CacheStats } from './cache.ts';
import { CircuitOpenError, createCircuitBreaker, type CircuitBreaker } from '../circuit-breaker.ts';

/**
 * A Redis client whose every command, its own callers' and the libraries' it is handed to, passes
 * through the breaker. Only a ready connection is guarded: until then ioredis refuses commands
 * itself (no offline queue) and must let its handshake through to become ready again.
 */
class GuardedRedis extends Redis {
  // Not a #private field: the constructor may start connecting before the field exists.
  private breaker: CircuitBreaker | undefined;

  constructor(url: string, options: RedisOptions, breaker: CircuitBreaker) {
    super(url, options);
    this.breaker = breaker;
  }

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    const breaker = this.breaker;
    if (this.status !== 'ready' || !breaker) return super.sendCommand(command, stream);
    if (!breaker.tryAcquire()) {
      command.reject(new CircuitOpenError('Redis'));
      return command.promise;
    }
    const sent = super.sendCommand(command, stream);
    command.promise.then(
      () => breaker.succeeded(),
      (error: Error) => (error instanceof ReplyError ? breaker.succeeded() : breaker.failed({ timedOut: error.message === 'Command timed out' })),
    );
    return sent;
  }
}

function infoField(info: string, field: string): string | undefined {
  const prefix = `${field}:`;
  return info
    .split('\n')
    .find((line) => line.startsWith(prefix))
    ?.slice(prefix.length)
    .trim();
}

export interface RedisCacheOptions {
  url: string;
  keyPrefix: string;
  logger: Logger;
  tlsCaFile?: string;
  /** Longest wait for a command; its timeout opens the circuit. */
  commandTimeoutMs?: number;
  /** How long the circuit stays open before a command probes Redis again. */
  circuitCooldownMs?: number;
}

export function createRedisCache({ url, keyPrefix, logger, tlsCaFile, commandTimeoutMs = 500, circuitCooldownMs = 5_000 }: RedisCacheOptions): Cache {
  let hits = 0;
  let misses = 0;
  let lastErrorLogged = 0;
  const breaker = createCircuitBreaker({
    cooldownMs: circuitCooldownMs,
    onChange: (state) => {
      if (state === 'open') logger.warn({ commandTimeoutMs, circuitCooldownMs }, 'redis did not answer in time: not asking it again until a probe is answered');
      else if (state === 'closed') logger.info('redis answers again');
    },
  });
  const options: RedisOptions = {
    keyPrefix,
    // Fail fast while Redis is away instead of queueing commands: callers degrade, health reports it.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // A frozen Redis (SIGSTOP, a partition) keeps the connection open and never answers: without
    // this a command waits forever. It bounds the ready check of a reconnection too.
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // rediss:// turns TLS on; a private CA verifies the server's certificate.
    ...(tlsCaFile && url.startsWith('rediss:') ? { tls: { ca: readFileSync(tlsCaFile) } } : {}),
  };
  const connect = () => {
    const client = new GuardedRedis(url, options, breaker);
    // A fresh connection passed its ready check: Redis answers, so probe without waiting out the cooldown.
    client.on('ready', () => breaker.allowProbe());
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
      breaker.reset();
      client = connect();
      previous.disconnect();
    },
    async close() {
      // QUIT waits for Redis to answer: one that has stopped answering must not hold up shutdown.
      const current = client;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([current.quit().catch(() => undefined), new Promise((resolveWait) => (timer = setTimeout(resolveWait, 1_000)))]);
      clearTimeout(timer);
      current.disconnect();
    },
  };
}
