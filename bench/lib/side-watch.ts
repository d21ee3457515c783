/**
 * Requests sent on the side of a load, a few a second on fresh connections, as an orchestrator's
 * probe or a user's request would arrive: their statuses and latencies, and whether every 503 said
 * when to retry (Retry-After) in problem+json. `take()` returns what was seen since the last take.
 */
import { httpRequest } from './processes.ts';
import { percentile } from './stats.ts';

export interface WatchTarget {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

export interface WatchCounts {
  statuses: Record<string, number>;
  p99Ms: number;
  maxMs: number;
  /** 503 answers without Retry-After or not problem+json. */
  badRefusals: number;
}

export interface SideWatch {
  take(): Record<string, WatchCounts>;
  stop(): Promise<Record<string, WatchCounts>>;
}

export function startSideWatch({ targets, intervalMs = 100 }: { targets: WatchTarget[]; intervalMs?: number }): SideWatch {
  const fresh = () =>
    Object.fromEntries(targets.map(({ name }) => [name, { statuses: {} as Record<string, number>, latencies: [] as number[], badRefusals: 0 }]));
  let seen = fresh();
  let stopping = false;
  const loops = targets.map(async ({ name, url, headers = {} }) => {
    while (!stopping) {
      const started = performance.now();
      const status = await httpRequest(url, { headers }).then(
        (answer) => {
          const contentType = String(answer.headers['content-type'] ?? '');
          if (answer.status === 503 && (!answer.headers['retry-after'] || !contentType.startsWith('application/problem+json'))) seen[name]!.badRefusals++;
          return String(answer.status);
        },
        (error: NodeJS.ErrnoException) => error.code ?? 'error',
      );
      const bucket = seen[name]!;
      bucket.latencies.push(performance.now() - started);
      bucket.statuses[status] = (bucket.statuses[status] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  });
  const take = () => {
    const taken = seen;
    seen = fresh();
    return Object.fromEntries(
      Object.entries(taken).map(([name, { statuses, latencies, badRefusals }]) => {
        latencies.sort((a, b) => a - b);
        return [name, { statuses, p99Ms: percentile(latencies, 99), maxMs: latencies.at(-1) ?? 0, badRefusals }];
      }),
    );
  };
  return {
    take,
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return take();
    },
  };
}
