/** One table row from timed GETs (timed-requests.ts), with the CPU the serving process spent on them. */
import { sampleProcess } from './proc-stats.ts';
import type { Row } from './scenario.ts';
import { timeRequests } from './timed-requests.ts';

export async function timedRow(label: string, { pid, ...options }: Parameters<typeof timeRequests>[0] & { pid: number }): Promise<Row> {
  const before = sampleProcess(pid);
  const timed = await timeRequests(options);
  const after = sampleProcess(pid);
  return {
    label,
    rps: timed.requests / timed.seconds,
    latencyMs: { p50: timed.latencyMs.p50, p95: timed.latencyMs.p95, p99: timed.latencyMs.p99 },
    errors: { non2xx: timed.errors.non2xx, timeouts: 0, errors: timed.errors.errors },
    cpuMicrosPerRequest: timed.requests ? (after.cpuMicros - before.cpuMicros) / timed.requests : 0,
    rssBytes: after.rssBytes,
  };
}
