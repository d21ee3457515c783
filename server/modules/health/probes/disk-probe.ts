/** Free space on the volume holding the data directory (statfs). */
import { mkdirSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ProbeDefinition } from '../../../platform/probes/index.ts';

export interface DiskProbeOptions {
  path: string;
  warnPercent: number;
  failPercent: number;
  intervalMs?: number;
  timeoutMs?: number;
  readStats?: (path: string) => Promise<{ freeBytes: number; totalBytes: number }>;
}

async function readVolume(path: string) {
  const stats = await statfs(path);
  // bavail: blocks available to unprivileged users, which is what PostgreSQL can actually use.
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}

export function createDiskProbe({ path, warnPercent, failPercent, intervalMs, timeoutMs, readStats = readVolume }: DiskProbeOptions): ProbeDefinition {
  const target = resolve(path);
  return {
    id: 'disk',
    componentType: 'system',
    componentId: target,
    critical: false,
    intervalMs,
    timeoutMs,
    async check() {
      mkdirSync(target, { recursive: true });
      const { freeBytes, totalBytes } = await readStats(target);
      const usedPercent = totalBytes === 0 ? 0 : ((totalBytes - freeBytes) / totalBytes) * 100;
      const status = usedPercent >= failPercent ? 'fail' : usedPercent >= warnPercent ? 'warn' : 'pass';
      const output =
        status === 'pass'
          ? undefined
          : `data volume ${usedPercent.toFixed(1)}% used, ${Math.round(freeBytes / 1_048_576)} MiB free (warn ${warnPercent}%, fail ${failPercent}%)`;
      return {
        status,
        output,
        measurements: [
          { name: 'utilization', observedValue: Math.round(usedPercent * 10) / 10, observedUnit: 'percent', status, ...(output ? { output } : {}) },
          { name: 'free', observedValue: freeBytes, observedUnit: 'bytes', status },
          { name: 'total', observedValue: totalBytes, observedUnit: 'bytes', status: 'pass' },
        ],
      };
    },
  };
}
