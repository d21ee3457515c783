/**
 * A modest number of timed GETs, sequential or a few at a time, each timed until its whole body
 * has arrived: for endpoints whose answers are large (megabytes with 10,000 components), where
 * autocannon's rate windows would measure mostly the loopback.
 */
import { request } from 'node:http';
import { percentile } from './stats.ts';

/**
 * One GET whose body is counted, not kept or decoded: the client shares the cores with the
 * server, and decoding megabytes into a string per answer would slow the server it measures.
 */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface TimedRequests {
  requests: number;
  seconds: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Answers with a status not accepted, and requests that failed outright. */
  errors: { non2xx: number; errors: number };
  bodyBytes: number;
}

export async function timeRequests({
  url,
  headers = {},
  concurrency = 1,
  perWorker,
  accept = [200],
}: {
  url: string;
  headers?: Record<string, string>;
  concurrency?: number;
  perWorker: number;
  /** Statuses that count as an answer (a health report with a failing component is a 503). */
  accept?: readonly number[];
}): Promise<TimedRequests> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let bodyBytes = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = 0; i < perWorker; i++) {
      const sent = performance.now();
      try {
        const answer = await get(url, headers);
        latencies.push(performance.now() - sent);
        if (!accept.includes(answer.status)) non2xx++;
        bodyBytes = Math.max(bodyBytes, answer.bytes);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    errors: { non2xx, errors },
    bodyBytes,
  };
}
