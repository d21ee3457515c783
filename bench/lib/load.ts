/** One load window: autocannon against a URL, its latencies kept so any percentile can be read. */
import autocannon from 'autocannon';
import { percentile } from './stats.ts';

export interface LoadOptions {
  url: string;
  seconds: number;
  connections?: number;
  headers?: Record<string, string>;
  /** Requests per second over all connections; unset: as fast as the server answers. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  errors: { non2xx: number; timeouts: number; errors: number };
  /** Answers by HTTP status ("200", "503" …). */
  statusCodes: Record<string, number>;
}

export async function runLoad({ url, seconds, connections = 10, headers = {}, rate }: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options = { url, duration: seconds, connections, headers, ...(rate ? { overallRate: Math.max(1, Math.round(rate)) } : {}) };
    const instance = autocannon(options, (error, finished) => (error ? reject(error) : resolve(finished)));
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return {
    requests,
    seconds: elapsed,
    rps: requests / elapsed,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    errors: { non2xx: result.non2xx, timeouts: result.timeouts, errors: result.errors },
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, { count = 0 }]) => [status, count])),
  };
}
