/** Process memory: heap used against the V8 heap limit, RSS and external memory. */
import { getHeapStatistics } from 'node:v8';
import type { ProbeDefinition } from '../../../platform/probes/index.ts';

export interface MemoryProbeOptions {
  warnPercent: number;
  failPercent: number;
  /** In-process caches to drop under memory pressure; each returns how many entries it dropped. */
  dropCaches: () => number;
  intervalMs?: number;
  timeoutMs?: number;
  readUsage?: () => { heapUsed: number; heapLimit: number; rss: number; external: number };
}

function readProcessMemory() {
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, heapLimit: getHeapStatistics().heap_size_limit, rss: usage.rss, external: usage.external };
}

export function createMemoryProbe({
  warnPercent,
  failPercent,
  dropCaches,
  intervalMs,
  timeoutMs,
  readUsage = readProcessMemory,
}: MemoryProbeOptions): ProbeDefinition {
  return {
    id: 'memory',
    componentType: 'system',
    critical: false,
    intervalMs,
    timeoutMs,
    async check() {
      const usage = readUsage();
      const percent = (usage.heapUsed / usage.heapLimit) * 100;
      const status = percent >= failPercent ? 'fail' : percent >= warnPercent ? 'warn' : 'pass';
      const output =
        status === 'pass'
          ? undefined
          : `heap at ${percent.toFixed(1)}% of its ${Math.round(usage.heapLimit / 1_048_576)} MiB limit (warn ${warnPercent}%, fail ${failPercent}%)`;
      return {
        status,
        output,
        measurements: [
          {
            name: 'heap',
            observedValue: { used: usage.heapUsed, limit: usage.heapLimit, usedPercent: Math.round(percent * 10) / 10 },
            observedUnit: 'bytes',
            status,
            ...(output ? { output } : {}),
          },
          { name: 'rss', observedValue: usage.rss, observedUnit: 'bytes', status: 'pass' },
          { name: 'external', observedValue: usage.external, observedUnit: 'bytes', status: 'pass' },
        ],
      };
    },
    recover: {
      action: 'drop in-process caches',
      async run() {
        const dropped = dropCaches();
        return `dropped ${dropped} in-process cache entries`;
      },
    },
  };
}
