/**
 * checks: many external HTTP checks on one instance, against a local target server with a
 * realistic latency spread and some failures (target-server.ts). Targets (issue 8): schedule lag
 * p99 ≤ 1 s, RSS flat over the run, history written in batches, and `/health/status`, the services
 * overview (`/health/services`) and `GET /api/services` answering ≤ 100 ms with every service listed.
 *
 * The services come from a config file (the way an operator declares many at once), so they live
 * in Watchkeeper's own scope and appear in all three reads. The first interval is a warm-up (start-up
 * runs every check once); the measured intervals follow; the reads are timed last, while the
 * checks go on. Sizes: BENCH_CHECKS (10,000; smoke 200), BENCH_CHECKS_INTERVAL_MS (60,000; smoke
 * 3,000) and BENCH_CHECKS_INTERVALS measured (3; smoke 2).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sampleProcess } from '../lib/proc-stats.ts';
import type { Metric, Row, Scenario } from '../lib/scenario.ts';
import { signInAdmin } from '../lib/sign-in.ts';
import { mean, percentile, slope } from '../lib/stats.ts';
import { startSubject } from '../lib/subject.ts';
import { startTarget } from '../lib/target.ts';
import { timeRequests } from '../lib/timed-requests.ts';

const MAX_LAG_P99_MS = 1_000;
const MAX_READ_P99_MS = 100;
/** "Flat": RSS may drift by at most this many MiB per minute over the measured intervals. */
const MAX_RSS_SLOPE_MIB_PER_MINUTE = 2;
/** "Flat": the lowest RSS of the last measured interval at most this much above the first's. */
const MAX_RSS_FLOOR_GROWTH = 0.05;
/** "In batches": at most one history write transaction per this many samples. */
const MIN_SAMPLES_PER_TRANSACTION = 20;
const CHECK_TIMEOUT_MS = 2_000;

interface Sizes {
  checks: number;
  intervalMs: number;
  intervals: number;
  sequential: number;
  concurrency: number;
  perWorker: number;
}

function sizes(smoke: boolean): Sizes {
  const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
  return {
    checks: env('BENCH_CHECKS', smoke ? 200 : 10_000),
    intervalMs: env('BENCH_CHECKS_INTERVAL_MS', smoke ? 3_000 : 60_000),
    intervals: env('BENCH_CHECKS_INTERVALS', smoke ? 2 : 3),
    sequential: smoke ? 3 : 20,
    concurrency: smoke ? 2 : 5,
    perWorker: smoke ? 2 : 6,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function countSamples(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM health_samples');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

export const checks: Scenario = {
  name: 'checks',
  description: 'Many external HTTP checks on one instance: schedule lag, RSS drift, history batching, and the reads that list every service',
  async run(context) {
    const size = sizes(context.smoke);
    const target = await startTarget({ intervalMs: size.intervalMs });
    const configDir = mkdtempSync(join(tmpdir(), 'watchkeeper-bench-checks-'));
    const configFile = join(configDir, 'watchkeeper.json');
    const services = Array.from({ length: size.checks }, (_, index) => ({
      name: `check-${index}`,
      type: 'http',
      url: target.serviceUrl(index),
      intervalMs: size.intervalMs,
      timeoutMs: CHECK_TIMEOUT_MS,
    }));
    writeFileSync(configFile, JSON.stringify({ services }));
    context.log(`checks: starting watchkeeper with ${size.checks} checks every ${size.intervalMs} ms`);
    const cleanUp = async () => {
      await target.stop();
      rmSync(configDir, { recursive: true, force: true });
    };
    // startSubject stops what it started when start-up fails; the target and the file are ours.
    const subject = await startSubject({
      databaseUrl: context.databaseUrl,
      // Raised with the rest so the API could hold as many as the file; the file's own are not capped.
      env: {
        WATCHKEEPER_CONFIG: configFile,
        SERVICES_MAX_PER_PROJECT: String(size.checks),
      },
      readyTimeoutMs: 300_000,
    }).catch(async (error: unknown) => {
      await cleanUp();
      throw error;
    });
    try {
      const { cookie } = await signInAdmin(subject);
      context.log(`checks: warm-up interval (${size.intervalMs} ms)`);
      await sleep(size.intervalMs);

      // The measured intervals: lags from the target, RSS each second, transactions and samples.
      await target.reset();
      const transactionsBefore = await subject.database.transactions();
      const samplesBefore = await countSamples(subject.database.url);
      const cpuBefore = sampleProcess(subject.pid);
      const started = performance.now();
      const rss: { x: number; y: number }[] = [];
      const measuredMs = size.intervals * size.intervalMs;
      context.log(`checks: measuring ${size.intervals} interval(s)`);
      while (performance.now() - started < measuredMs) {
        rss.push({ x: (performance.now() - started) / 60_000, y: sampleProcess(subject.pid).rssBytes / 1_048_576 });
        await sleep(1_000);
      }
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = sampleProcess(subject.pid);
      const stats = await target.stats();
      // The recorder writes at most a second late: let its last batch land before counting.
      await sleep(1_500);
      const samples = (await countSamples(subject.database.url)) - samplesBefore;
      const transactions = (await subject.database.transactions()) - transactionsBefore - 1; // less our own count
      const lags = [...stats.lags].sort((a, b) => a - b);
      const checksRun = lags.length;
      const lagRow: Row = {
        label: `schedule lag, ${size.checks} checks every ${size.intervalMs / 1000} s`,
        rps: checksRun / seconds,
        latencyMs: { p50: percentile(lags, 50), p95: percentile(lags, 95), p99: percentile(lags, 99) },
        errors: { non2xx: 0, timeouts: 0, errors: 0 },
        cpuMicrosPerRequest: checksRun ? (cpuAfter.cpuMicros - cpuBefore.cpuMicros) / checksRun : 0,
        rssBytes: Math.max(0, ...rss.map((point) => point.y * 1_048_576)),
        queriesPerRequest: samples ? transactions / samples : 0,
        target: `lag p99 ≤ ${MAX_LAG_P99_MS} ms`,
      };
      lagRow.pass = checksRun > 0 && lagRow.latencyMs.p99 <= MAX_LAG_P99_MS;
      const rssSlope = slope(rss.map(({ x, y }) => [x, y] as const));
      // The slope over a few minutes mostly shows the collector (a heap shrinking after start-up,
      // or growing until its next major collection): the lowest RSS of each interval shows a leak.
      const rssFloors = Array.from({ length: size.intervals }, (_, i) =>
        Math.min(...rss.filter((point) => point.x * 60_000 >= i * size.intervalMs && point.x * 60_000 < (i + 1) * size.intervalMs).map((point) => point.y)),
      );
      const samplesPerTransaction = transactions > 0 ? samples / transactions : samples;

      // The reads, while the checks go on.
      const reads = [
        // A health report answers 503 while a component fails, which some always do here.
        { label: 'GET /health/status', path: '/health/status', accept: [200, 503] },
        { label: 'GET /health/services', path: '/health/services', accept: [200, 503] },
        { label: 'GET /api/services', path: '/api/services', accept: [200] },
      ];
      const readRows: Row[] = [];
      const bodySizes: string[] = [];
      for (const read of reads) {
        const url = `${subject.url}${read.path}`;
        const warm = await timeRequests({ url, headers: { cookie }, perWorker: 1, accept: read.accept });
        if (warm.errors.non2xx + warm.errors.errors > 0) throw new Error(`${read.label} did not answer ${read.accept.join(' or ')}`);
        bodySizes.push(`${read.path} ${(warm.bodyBytes / 1_048_576).toFixed(1)} MiB`);
        for (const [mode, concurrency, perWorker] of [
          ['sequential', 1, size.sequential],
          [`${size.concurrency} concurrent`, size.concurrency, size.perWorker],
        ] as const) {
          context.log(`checks: ${read.label}, ${mode}`);
          const before = sampleProcess(subject.pid);
          const timed = await timeRequests({ url, headers: { cookie }, concurrency, perWorker, accept: read.accept });
          const after = sampleProcess(subject.pid);
          const row: Row = {
            label: `${read.label}, ${mode}`,
            rps: timed.requests / timed.seconds,
            latencyMs: { p50: timed.latencyMs.p50, p95: timed.latencyMs.p95, p99: timed.latencyMs.p99 },
            errors: { non2xx: timed.errors.non2xx, timeouts: 0, errors: timed.errors.errors },
            cpuMicrosPerRequest: timed.requests ? (after.cpuMicros - before.cpuMicros) / timed.requests : 0,
            rssBytes: after.rssBytes,
            target: `p99 ≤ ${MAX_READ_P99_MS} ms`,
          };
          row.pass = row.latencyMs.p99 <= MAX_READ_P99_MS && row.errors.non2xx + row.errors.errors === 0;
          readRows.push(row);
        }
      }
      const verdict = (pass: boolean) => (pass ? 'pass' : 'FAIL');
      const floorGrowth = rssFloors.length > 1 ? rssFloors.at(-1)! - rssFloors[0]! : 0;
      const metrics: Metric[] = [
        {
          label: 'RSS slope over the measured intervals',
          value: Math.round(rssSlope * 100) / 100,
          unit: 'MiB/min',
          target: `|slope| ≤ ${MAX_RSS_SLOPE_MIB_PER_MINUTE}`,
          pass: Math.abs(rssSlope) <= MAX_RSS_SLOPE_MIB_PER_MINUTE,
        },
        {
          label: 'RSS floor, last measured interval minus the first',
          value: Math.round(floorGrowth * 10) / 10,
          unit: 'MiB',
          target: `≤ ${MAX_RSS_FLOOR_GROWTH * 100}% of the first (${(rssFloors[0]! * MAX_RSS_FLOOR_GROWTH).toFixed(1)} MiB)`,
          pass: floorGrowth <= rssFloors[0]! * MAX_RSS_FLOOR_GROWTH,
        },
        {
          label: 'history samples per database transaction',
          value: Math.round(samplesPerTransaction * 10) / 10,
          unit: 'samples',
          target: `≥ ${MIN_SAMPLES_PER_TRANSACTION}`,
          pass: samplesPerTransaction >= MIN_SAMPLES_PER_TRANSACTION,
        },
      ];
      const failures = stats.counts;
      return {
        name: this.name,
        description: this.description,
        rows: [lagRow, ...readRows],
        metrics,
        windows: [],
        notes: [
          `Ran ${size.checks} HTTP checks every ${size.intervalMs / 1000} s (timeout ${CHECK_TIMEOUT_MS} ms), one warm-up interval, then ${size.intervals} measured (${seconds.toFixed(0)} s): ${checksRun} checks reached the target (${failures.ok} answered 200, ${failures.error500} 500, ${failures.reset} reset, ${failures.hang} never answered).`,
          'Schedule lag, measured by the target: the time from the end of a service’s check (answer sent, reset, or the checker hanging up) to the start of its next, minus the interval. Its row’s req/s is checks per second, CPU µs/req is the server’s CPU per check, and queries/req is database transactions per history sample.',
          `RSS over the measured intervals: ${mean(rss.map((p) => p.y)).toFixed(1)} MiB on average, slope ${rssSlope.toFixed(2)} MiB/min (target |slope| ≤ ${MAX_RSS_SLOPE_MIB_PER_MINUTE}): ${verdict(Math.abs(rssSlope) <= MAX_RSS_SLOPE_MIB_PER_MINUTE)}; lowest RSS of each interval ${rssFloors.map((floor) => floor.toFixed(1)).join(', ')} MiB.`,
          `History: ${samples} samples written in ${transactions} database transactions in all (every transaction of the bench database, so also the services sync and the other jobs), ${samplesPerTransaction.toFixed(1)} samples per transaction (target ≥ ${MIN_SAMPLES_PER_TRANSACTION}): ${verdict(samplesPerTransaction >= MIN_SAMPLES_PER_TRANSACTION)}.`,
          `Reads: signed in with a session cookie, timed to the last byte of the body (${bodySizes.join(', ')}), ${size.sequential} sequential and ${size.concurrency} × ${size.perWorker} concurrent, after the measured intervals while the checks go on.`,
        ],
        details: {
          checks: size.checks,
          intervalMs: size.intervalMs,
          measuredSeconds: seconds,
          checksRun,
          outcomes: failures,
          lagMs: { p50: lagRow.latencyMs.p50, p95: lagRow.latencyMs.p95, p99: lagRow.latencyMs.p99, max: lags.at(-1) ?? 0 },
          rssSlopeMiBPerMinute: rssSlope,
          rssFloorsMiB: rssFloors,
          rssMiB: rss.map((point) => Math.round(point.y * 10) / 10),
          history: { samples, transactions, samplesPerTransaction },
        },
      };
    } finally {
      await subject.stop();
      await cleanUp();
    }
  },
};
