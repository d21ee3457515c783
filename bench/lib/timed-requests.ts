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
function get(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number; shed: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      // Load shedding's 503 is problem+json; a failing health report's 503 is health+json.
      const shed = res.statusCode === 503 && String(res.headers['content-type'] ?? '').includes('problem+json');
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, shed }));
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
  /** Answers with a status not accepted (load shedding's 503s among them), and requests that failed outright. */
  errors: { non2xx: number; errors: number };
  /** Answers that were load shedding's 503 (counted in non2xx whatever `accept` says). */
  shed: number;
  bodyBytes: number;
  /** How many answers came with each status, e.g. `{ 200: 19, 503: 1 }`. */
  statuses: Record<number, number>;
  /** The first error of a request that failed outright. */
  firstError?: string;
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
  let shed = 0;
  let errors = 0;
  let bodyBytes = 0;
  const statuses: Record<number, number> = {};
  let firstError: string | undefined;
  const started = performance.now();
  const worker = async () => {
    for (let i = 0; i < perWorker; i++) {
      const sent = performance.now();
      try {
        const answer = await get(url, headers);
        latencies.push(performance.now() - sent);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.shed) shed++;
        if (answer.shed || !accept.includes(answer.status)) non2xx++;
        bodyBytes = Math.max(bodyBytes, answer.bytes);
      } catch (error) {
        firstError ??= error instanceof Error ? error.message : String(error);
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
    shed,
    bodyBytes,
    statuses,
    ...(firstError ? { firstError } : {}),
  };
}
