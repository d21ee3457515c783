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
/**
 * "Flat": the lowest heap of each measured interval may rise by at most this many MiB per minute.
 * The floors, not every sample: over a few minutes the samples' slope mostly shows the collector
 * (garbage from start-up collected, or the heap growing to its next major collection) — the last
 * run's −34 MiB/min and the one before's +61 MiB/min came with flat floors — while a leak raises
 * what survives each collection, interval after interval.
 */
const MAX_HEAP_FLOOR_SLOPE_MIB_PER_MINUTE = 2;
/** How often the server's memory probe runs here, and is read: the heap is known only from inside. */
const MEMORY_PROBE_INTERVAL_MS = 2_000;
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

/** The server's heapUsed as its memory probe last measured it (`/health/memory`), in bytes. */
async function heapUsed(base: string, cookie: string): Promise<number | undefined> {
  try {
    const response = await fetch(`${base}/health/memory`, { headers: { cookie } });
    const report = (await response.json()) as { checks?: Record<string, Array<{ observedValue?: { used?: number } }>> };
    const entry = Object.entries(report.checks ?? {}).find(([key]) => key.endsWith(':heap'))?.[1]?.[0];
    return typeof entry?.observedValue?.used === 'number' ? entry.observedValue.used : undefined;
  } catch {
    return undefined;
  }
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
        // Watchkeeper's own probes (memory among them) every 2 s, so the heap is sampled often.
        HEALTH_INTERVAL_MS: String(MEMORY_PROBE_INTERVAL_MS),
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
      const heap: { x: number; y: number }[] = [];
      const measuredMs = size.intervals * size.intervalMs;
      context.log(`checks: measuring ${size.intervals} interval(s)`);
      let lastHeapRead = -Infinity;
      while (performance.now() - started < measuredMs) {
        rss.push({ x: (performance.now() - started) / 60_000, y: sampleProcess(subject.pid).rssBytes / 1_048_576 });
        if (performance.now() - lastHeapRead >= MEMORY_PROBE_INTERVAL_MS) {
          lastHeapRead = performance.now();
          const used = await heapUsed(subject.url, cookie);
          if (used !== undefined) heap.push({ x: (performance.now() - started) / 60_000, y: used / 1_048_576 });
        }
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
      const floorsOf = (points: { x: number; y: number }[]) =>
        Array.from({ length: size.intervals }, (_, i) =>
          Math.min(
            ...points.filter((point) => point.x * 60_000 >= i * size.intervalMs && point.x * 60_000 < (i + 1) * size.intervalMs).map((point) => point.y),
          ),
        ).filter(Number.isFinite);
      const rssFloors = floorsOf(rss);
      const heapFloors = floorsOf(heap);
      // Per minute: the floors are one interval apart.
      const heapFloorSlope = slope(heapFloors.map((floor, i) => [(i * size.intervalMs) / 60_000, floor] as const));
      const heapSlope = slope(heap.map(({ x, y }) => [x, y] as const));
      const samplesPerTransaction = transactions > 0 ? samples / transactions : samples;

      // The reads, while the checks go on.
      // Each plain, then gzipped as a browser asks (timed to the last byte received, not decoded;
      // the plain ones are not parsed either); and the failing components only, as a dashboard can ask.
      const gzip = { 'accept-encoding': 'gzip' };
      const reads = [
        // A health report answers 503 while a component fails, which some always do here.
        { label: 'GET /health/status', path: '/health/status', accept: [200, 503] },
        { label: 'GET /health/status, gzip', path: '/health/status', accept: [200, 503], headers: gzip },
        { label: 'GET /health/status?status=fail,warn', path: '/health/status?status=fail,warn', accept: [200, 503] },
        { label: 'GET /health/services', path: '/health/services', accept: [200, 503] },
        { label: 'GET /health/services, gzip', path: '/health/services', accept: [200, 503], headers: gzip },
        { label: 'GET /api/services', path: '/api/services', accept: [200] },
        { label: 'GET /api/services, gzip', path: '/api/services', accept: [200], headers: gzip },
      ];
      const readRows: Row[] = [];
      const bodySizes: string[] = [];
      for (const read of reads) {
        const url = `${subject.url}${read.path}`;
        const headers = { cookie, ...read.headers };
        // A busy machine may make the server shed a request: the warm-up one tries a few times.
        let warm = await timeRequests({ url, headers, perWorker: 1, accept: read.accept });
        for (let attempt = 0; attempt < 5 && warm.shed > 0; attempt++) {
          await sleep(2_000);
          warm = await timeRequests({ url, headers, perWorker: 1, accept: read.accept });
        }
        if (warm.errors.non2xx + warm.errors.errors > 0)
          throw new Error(`${read.label} did not answer ${read.accept.join(' or ')}: ${JSON.stringify(warm.statuses)} ${warm.firstError ?? ''}`);
        bodySizes.push(`${read.label.slice(4)} ${(warm.bodyBytes / 1_048_576).toFixed(2)} MiB`);
        for (const [mode, concurrency, perWorker] of [
          ['sequential', 1, size.sequential],
          [`${size.concurrency} concurrent`, size.concurrency, size.perWorker],
        ] as const) {
          context.log(`checks: ${read.label}, ${mode}`);
          const before = sampleProcess(subject.pid);
          const timed = await timeRequests({ url, headers, concurrency, perWorker, accept: read.accept });
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
      const heapFloorGrowth = heapFloors.length > 1 ? heapFloors.at(-1)! - heapFloors[0]! : 0;
      const metrics: Metric[] = [
        {
          label: 'heap floor slope (lowest heapUsed of each measured interval)',
          value: Math.round(heapFloorSlope * 100) / 100,
          unit: 'MiB/min',
          target: `≤ ${MAX_HEAP_FLOOR_SLOPE_MIB_PER_MINUTE}`,
          pass: heapFloors.length > 1 && heapFloorSlope <= MAX_HEAP_FLOOR_SLOPE_MIB_PER_MINUTE,
        },
        // Shown, not judged: see MAX_HEAP_FLOOR_SLOPE_MIB_PER_MINUTE. A native leak shows in the RSS floors below.
        { label: 'heapUsed slope over the measured intervals', value: Math.round(heapSlope * 100) / 100, unit: 'MiB/min' },
        { label: 'RSS slope over the measured intervals', value: Math.round(rssSlope * 100) / 100, unit: 'MiB/min' },
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
          `Memory over the measured intervals: RSS ${mean(rss.map((p) => p.y)).toFixed(1)} MiB on average, slope ${rssSlope.toFixed(2)} MiB/min, lowest of each interval ${rssFloors.map((floor) => floor.toFixed(1)).join(', ')} MiB; heapUsed (the server's memory probe, every ${MEMORY_PROBE_INTERVAL_MS / 1000} s) ${mean(heap.map((p) => p.y)).toFixed(1)} MiB on average, slope ${heapSlope.toFixed(2)} MiB/min, lowest of each interval ${heapFloors.map((floor) => floor.toFixed(1)).join(', ')} MiB (floors ${heapFloorGrowth >= 0 ? '+' : ''}${heapFloorGrowth.toFixed(1)} MiB first to last; floor slope ${heapFloorSlope.toFixed(2)} MiB/min, target ≤ ${MAX_HEAP_FLOOR_SLOPE_MIB_PER_MINUTE}: ${verdict(heapFloors.length > 1 && heapFloorSlope <= MAX_HEAP_FLOOR_SLOPE_MIB_PER_MINUTE)}). The samples' slopes are shown, not judged: over minutes they mostly follow the collector.`,
          `History: ${samples} samples written in ${transactions} database transactions in all (every transaction of the bench database, so also the services sync and the other jobs), ${samplesPerTransaction.toFixed(1)} samples per transaction (target ≥ ${MIN_SAMPLES_PER_TRANSACTION}): ${verdict(samplesPerTransaction >= MIN_SAMPLES_PER_TRANSACTION)}.`,
          `Reads: signed in with a session cookie, timed to the last byte of the body as sent (${bodySizes.join(', ')}), ${size.sequential} sequential and ${size.concurrency} × ${size.perWorker} concurrent, after the measured intervals while the checks go on.`,
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
          heapFloorsMiB: heapFloors,
          heapFloorSlopeMiBPerMinute: heapFloorSlope,
          heapMiB: heap.map((point) => Math.round(point.y * 10) / 10),
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
