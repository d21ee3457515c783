/**
 * Logs a dependency outage as a state change, not once per request: the first request that meets
 * an unavailable dependency logs "unavailable", later ones are only counted and reported in a
 * periodic summary, and the dependency's return is logged once. While the database was down one
 * warning per request made 52,000 lines in 45 s and buried everything else.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';

export type Dependency = 'database' | 'cache';

export interface OutageLog {
  /**
   * A request met `dependency` unavailable (it failed, or was served from a fallback). Pass the
   * request so one that meets it twice (a fallback read, then a 503) is counted once.
   */
  report(dependency: Dependency, error?: unknown, request?: object): void;
  /** `dependency` answered again: ends its outage, if one was open, with one line. */
  recovered(dependency: Dependency): void;
  /** Logs, per open outage, how many requests met it since the last summary. */
  summarize(): void;
  /** The open outages, for a job deciding whether to look for a recovery. */
  open(): Dependency[];
}

interface Outage {
  since: number;
  total: number;
  sinceSummary: number;
}

export function createOutageLog({ logger, now = Date.now }: { logger: Logger; now?: () => number }): OutageLog {
  const outages = new Map<Dependency, Outage>();
  const counted = new WeakSet<object>();
  return {
    report(dependency, error, request) {
      if (request) {
        if (counted.has(request)) return;
        counted.add(request);
      }
      const outage = outages.get(dependency);
      if (outage) {
        outage.total += 1;
        outage.sinceSummary += 1;
        return;
      }
      outages.set(dependency, { since: now(), total: 1, sinceSummary: 0 });
      logger.warn(
        { dependency, err: error },
        `${dependency} unavailable: requests that need it fail with 503 (or read from a fallback) until it returns; counted, not logged one by one`,
      );
    },
    recovered(dependency) {
      const outage = outages.get(dependency);
      if (!outage) return;
      outages.delete(dependency);
      logger.warn({ dependency, affectedRequests: outage.total, outageMs: now() - outage.since }, `${dependency} available again`);
    },
    summarize() {
      for (const [dependency, outage] of outages) {
        if (outage.sinceSummary === 0) continue;
        logger.warn(
          { dependency, affectedRequests: outage.sinceSummary, totalAffectedRequests: outage.total, outageMs: now() - outage.since },
          `${dependency} still unavailable: ${outage.sinceSummary} more requests met it`,
        );
        outage.sinceSummary = 0;
      }
    },
    open: () => [...outages.keys()],
  };
}
