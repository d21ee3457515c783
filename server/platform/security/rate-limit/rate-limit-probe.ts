/**
 * The `rate-limiter` health component: warns while Redis is unreachable and limits are enforced by
 * each instance on its own (a client then gets up to the limit from every instance).
 */
import type { Redis } from 'ioredis';
import type { ProbeDefinition } from '../../probes/index.ts';
import type { RateLimitStore } from './rate-limit-store.ts';

export function createRateLimitProbe({
  store,
  redisClient,
  pingTimeoutMs = 1_000,
}: {
  store: RateLimitStore;
  redisClient: () => Redis | undefined;
  pingTimeoutMs?: number;
}): ProbeDefinition {
  return {
    id: 'rate-limiter',
    componentType: 'component',
    critical: false,
    async check() {
      const fallback = {
        name: 'fallbackDecisions',
        observedValue: store.fallbackDecisions,
        observedUnit: 'count',
        status: store.usingFallback ? ('warn' as const) : ('pass' as const),
      };
      // Each one cost a wait on Redis (up to its timeout) before the in-process limiter decided.
      const failures = { name: 'redisFailures', observedValue: store.redisFailures, observedUnit: 'count', status: 'pass' as const };
      const client = redisClient();
      if (!client) {
        return { status: 'pass', measurements: [{ name: 'store', observedValue: 'in-process', status: 'pass' }, fallback] };
      }
      try {
        if (client.status !== 'ready') throw new Error(`connection ${client.status}`);
        // A half-open connection can leave a command unanswered for minutes: do not wait on it.
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to PING within ${pingTimeoutMs} ms`)), pingTimeoutMs);
        });
        await Promise.race([client.ping(), deadline]).finally(() => clearTimeout(timer));
        // Redis answers a PING but the limiter has not gone back to it yet (its pause is not over).
        if (store.usingFallback) throw new Error('it failed the rate limiter moments ago');
        return { status: 'pass', measurements: [{ name: 'store', observedValue: 'redis', status: 'pass' }, fallback, failures] };
      } catch (error) {
        const output = `Redis unreachable (${(error as Error).message}): limits are enforced per instance by the in-process fallback`;
        return { status: 'warn', output, measurements: [{ name: 'store', observedValue: 'in-process-fallback', status: 'warn', output }, fallback, failures] };
      }
    },
  };
}
