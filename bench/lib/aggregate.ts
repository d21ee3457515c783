/** Folds a variant's windows (one per round) into one table row. */
import type { WindowResult } from './measure.ts';
import type { Row } from './scenario.ts';
import { mean, median } from './stats.ts';

export function aggregate(label: string, windows: readonly WindowResult[]): Row {
  const counted = windows.filter((window) => window.queriesPerRequest !== undefined);
  return {
    label,
    rps: mean(windows.map((window) => window.rps)),
    latencyMs: {
      p50: median(windows.map((window) => window.latencyMs.p50)),
      p95: median(windows.map((window) => window.latencyMs.p95)),
      p99: median(windows.map((window) => window.latencyMs.p99)),
    },
    errors: {
      non2xx: windows.reduce((sum, window) => sum + window.errors.non2xx, 0),
      timeouts: windows.reduce((sum, window) => sum + window.errors.timeouts, 0),
      errors: windows.reduce((sum, window) => sum + window.errors.errors, 0),
    },
    cpuMicrosPerRequest: mean(windows.map((window) => window.server.cpuMicrosPerRequest)),
    rssBytes: Math.max(0, ...windows.map((window) => window.server.rssBytes)),
    ...(counted.length ? { queriesPerRequest: mean(counted.map((window) => window.queriesPerRequest!)) } : {}),
  };
}

export function hasErrors(row: Row): boolean {
  return row.errors.non2xx + row.errors.timeouts + row.errors.errors > 0;
}
