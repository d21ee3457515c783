/**
 * The benchmark harness cannot rot: the probe and api scenarios run in smoke mode (~1 s windows,
 * one round) against the compiled program, and the report has every number the table needs; so
 * does checks, with 200 checks every 3 s against its own Watchkeeper and target server.
 * Speed is never asserted here: the machine is shared and the numbers mean nothing at 1 s.
 */
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runBench } from '../bench/lib/suite.ts';
import type { Metric, Row } from '../bench/lib/scenario.ts';
import { scenarios } from '../bench/scenarios/index.ts';
import { malformedKinds } from '../bench/lib/malformed-requests.ts';
import { renderSvgChart } from '../bench/lib/svg-chart.ts';
import { kneeOf } from '../bench/lib/ramp.ts';
import { slope } from '../bench/lib/stats.ts';

function expectTargeted(metric: Metric | undefined): void {
  expect(Number.isFinite(metric?.value)).toBe(true);
  expect(metric!.target).toBeTruthy();
  expect(typeof metric!.pass).toBe('boolean');
}

function expectMeasured(row: Row): void {
  expect(row.rps).toBeGreaterThan(0); // requests were answered, however fast
  for (const value of [row.latencyMs.p50, row.latencyMs.p95, row.latencyMs.p99, row.cpuMicrosPerRequest]) {
    expect(Number.isFinite(value)).toBe(true);
  }
  expect(row.rssBytes).toBeGreaterThan(0);
  expect(row.errors).toEqual({ non2xx: 0, timeouts: 0, errors: 0 }); // rate limits raised: no 429, no 401
}

describe('the ramp and soak arithmetic', () => {
  it('puts the knee at the last step before the first that misses the objective, and none when the first misses', () => {
    const steps = (...meets: boolean[]) => meets.map((ok, index) => ({ connections: 10 * (index + 1), meets: ok }));
    expect(kneeOf(steps(true, true, false, true))?.connections).toBe(20); // a later pass does not move it
    expect(kneeOf(steps(true, true, true))?.connections).toBe(30);
    expect(kneeOf(steps(false, true))).toBeUndefined();
  });

  it('measures drift as the least-squares slope', () => {
    expect(
      slope([
        [0, 100],
        [1, 110],
        [2, 120],
      ]),
    ).toBeCloseTo(10);
    expect(
      slope([
        [0, 5],
        [1, 7],
        [2, 5],
        [3, 7],
      ]),
    ).toBeCloseTo(0.4);
    expect(slope([[1, 3]])).toBe(0);
  });
});

describe('npm run bench --smoke', () => {
  it('runs probe and api against the real server and reports throughput, latency, errors, server cost, queries and the ratio to the baseline', async () => {
    const { report, markdown } = await runBench({ names: ['probe', 'api'], smoke: true, databaseUrl: inject('databaseUrl') });

    expect(report.environment.commit).toMatch(/^[0-9a-f]{40}$|^unknown$/);
    expect(report.environment.machine.cores).toBeGreaterThan(0);
    expect(report.settings).toMatchObject({ smoke: true, rounds: 1, database: 'server' });
    expect(report.scenarios.map((scenario) => scenario.name)).toEqual(['probe', 'api']);

    const [probe, api] = report.scenarios;
    expect(probe!.rows.map((row) => row.label)).toEqual(['bare node:http', 'watchkeeper /health/liveness', 'watchkeeper /health/liveness at 50% of max']);
    expect(api!.rows.map((row) => row.label)).toEqual([
      'probe /health/liveness',
      'cookie GET /api/services',
      'cookie GET /health/status',
      'API key GET /api/services',
      'API key GET /health/status',
    ]);
    for (const row of [...probe!.rows, ...api!.rows]) expectMeasured(row);

    const [, liveness, halfRate] = probe!.rows;
    expect(liveness!.ratio).toBeGreaterThan(0);
    expect(typeof liveness!.pass).toBe('boolean');
    expect(typeof halfRate!.pass).toBe('boolean');
    for (const row of api!.rows.slice(1)) {
      expect(row.ratio).toBeGreaterThan(0);
      expect(row.queriesPerRequest).toBeGreaterThanOrEqual(0);
      expect(typeof row.pass).toBe('boolean');
    }
    expect(probe!.windows).toHaveLength(3); // bare, subject, half rate
    expect(api!.windows).toHaveLength(5);

    expect(markdown).toContain(`- Commit: ${report.environment.commit}`);
    expect(markdown).toContain('## probe');
    expect(markdown).toContain('## api');
    expect(markdown).toMatch(
      /\| watchkeeper \/health\/liveness \| [\d,]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| 0 \/ 0 \/ 0 \| [\d,.]+ \| [\d.]+ \| {2}\| [\d.]+× \| ≥ 0\.6× bare \| (pass|FAIL) \|/,
    );
  }, 150_000);

  it('runs checks (200 HTTP checks every 3 s in smoke mode) and reports schedule lag, RSS drift, history batching and the timed reads', async () => {
    const { report, markdown } = await runBench({ names: ['checks'], smoke: true, databaseUrl: inject('databaseUrl') });
    const [checks] = report.scenarios;
    expect(checks!.name).toBe('checks');
    expect(checks!.rows.map((row) => row.label)).toEqual([
      'schedule lag, 200 checks every 3 s',
      'GET /health/status, sequential',
      'GET /health/status, 2 concurrent',
      'GET /health/status, gzip, sequential',
      'GET /health/status, gzip, 2 concurrent',
      'GET /health/status?status=fail,warn, sequential',
      'GET /health/status?status=fail,warn, 2 concurrent',
      'GET /health/services, sequential',
      'GET /health/services, 2 concurrent',
      'GET /health/services, gzip, sequential',
      'GET /health/services, gzip, 2 concurrent',
      'GET /api/services, sequential',
      'GET /api/services, 2 concurrent',
      'GET /api/services, gzip, sequential',
      'GET /api/services, gzip, 2 concurrent',
      'bare node:http, the bytes of GET /health/status, sequential',
      'bare node:http, the bytes of GET /health/status, 2 concurrent',
    ]);
    const [lag, ...rest] = checks!.rows;
    // The bare server's rows are the floor under a plain full read, shown without a target.
    const reads = rest.slice(0, -2);
    for (const bare of rest.slice(-2)) expect(bare.pass).toBeUndefined();
    expect(lag!.rps).toBeGreaterThan(0); // the target saw checks follow checks
    for (const value of [lag!.latencyMs.p50, lag!.latencyMs.p99, lag!.cpuMicrosPerRequest, lag!.queriesPerRequest!]) expect(Number.isFinite(value)).toBe(true);
    for (const row of reads) {
      expect(row.rps).toBeGreaterThan(0);
      expect(row.errors).toEqual({ non2xx: 0, timeouts: 0, errors: 0 }); // 200 (or a health 503), never a 401 or a failure
      expect(typeof row.pass).toBe('boolean');
    }
    expect(checks!.details).toMatchObject({ checks: 200, intervalMs: 3_000, history: { samples: expect.any(Number), transactions: expect.any(Number) } });
    const details = checks!.details as { history: { samples: number }; rssMiB: number[]; rssSlopeMiBPerMinute: number };
    expect(details.history.samples).toBeGreaterThan(0);
    expect(details.rssMiB.length).toBeGreaterThan(1);
    expect(Number.isFinite(details.rssSlopeMiBPerMinute)).toBe(true);
    expect(checks!.metrics!.map((metric) => metric.label)).toEqual([
      'live heap slope (after a full collection at each interval end)',
      'heap floor slope (lowest heapUsed of each measured interval)',
      'heapUsed slope over the measured intervals',
      'RSS slope over the measured intervals',
      'RSS floor, last measured interval minus the first',
      'history samples per database transaction',
    ]);
    for (const metric of checks!.metrics!) {
      expect(Number.isFinite(metric.value)).toBe(true);
      // The samples' slopes are shown without a target (they follow the collector); the rest are judged.
      expect(typeof metric.pass).toBe(metric.target ? 'boolean' : 'undefined');
    }
    // The heap as the server's memory probe saw it, read during the run, and the live heap at the
    // start and the end of each measured interval (two in smoke mode), taken through the inspector.
    expect((checks!.details as { heapMiB: number[] }).heapMiB.length).toBeGreaterThan(1);
    expect((checks!.details as { liveHeapMiB: number[] }).liveHeapMiB).toHaveLength(3);
    expect(markdown).toContain('## checks');
    expect(markdown).toMatch(/Memory over the measured intervals: RSS [\d.]+ MiB on average, slope -?[\d.]+ MiB\/min/);
  }, 120_000);

  it('runs storage and footprint, which report sizes and times with their targets in tables of their own', async () => {
    const { report, markdown } = await runBench({ names: ['storage', 'footprint'], smoke: true, databaseUrl: inject('databaseUrl') });
    const [storage, footprint] = report.scenarios;
    expect(storage!.rows).toEqual([]);
    expect(footprint!.rows).toEqual([]);

    const storageMetric = (label: string) => storage!.metrics!.find((metric) => metric.label.startsWith(label));
    expect(storageMetric('raw sample, bytes per row')!.value).toBeGreaterThan(0);
    expectTargeted(storageMetric('a year, default retention'));
    expectTargeted(storageMetric('a year of history kept'));
    // Measured through the real write path and retention job: the stages have the rows written and folded.
    const [sizes] = storage!.tables!;
    const samples = sizes!.rows.filter((row) => row[1] === 'health_samples');
    expect(samples.map((row) => row[2])).toEqual([
      20 * 60, // 20 checks × 1 simulated hour at 60 s, raw
      20 * 12, // folded into 5-minute buckets
      20 * 12, // compacted
      20, // folded into hourly buckets
      20, // and into daily ones
    ]);

    const footprintMetric = (label: string) => footprint!.metrics!.find((metric) => metric.label.startsWith(label));
    expectTargeted(footprintMetric('idle RSS, server + embedded PostgreSQL'));
    expectTargeted(footprintMetric('start to ready, second start'));
    expectTargeted(footprintMetric('start to ready, first start'));
    expect(footprintMetric('idle RSS, PostgreSQL processes')!.value).toBeGreaterThan(0); // the cluster's processes were found
    expect(footprint!.tables![0]!.rows.map((row) => row[0])).toEqual(['first', 'warm']);

    expect(markdown).toContain('## storage');
    expect(markdown).toMatch(/\| a year, default retention \(raw 24 h, 5-minute 7 d, hourly 30 d, history 30 d\) \| [\d.,]+ \| GB \| ≤ 2 GB \| (pass|FAIL) \|/);
    expect(markdown).toContain('## footprint');
    expect(markdown).toMatch(/\| start to ready, first start \(initdb\) \| [\d.,]+ \| s \| ≤ 10 s \| (pass|FAIL) \|/);
  }, 150_000);

  it('runs stress and soak: a ramp with its knee, shedding and recovery notes, malformed requests never answered 5xx, the soak slopes, and their charts', async () => {
    expect(scenarios.find((scenario) => scenario.name === 'soak')?.longRunning).toBe(true); // not in a plain `npm run bench`
    const { report, markdown } = await runBench({ names: ['stress', 'soak'], smoke: true, databaseUrl: inject('databaseUrl') });
    const [stress, soak] = report.scenarios;

    expect(stress!.rows.map((row) => row.label)).toEqual([
      'probe GET /health/liveness, 10 connections',
      'probe GET /health/liveness, 50 connections',
      'probe GET /health/liveness, 10 connections, recovery',
      'api API key GET /health/status, 10 connections',
      'api API key GET /health/status, 50 connections',
      'api API key GET /health/status, 10 connections, recovery',
    ]);
    for (const row of stress!.rows) {
      expect(row.rps).toBeGreaterThan(0);
      expect(Number.isFinite(row.latencyMs.p99)).toBe(true);
      expect(typeof row.pass).toBe('boolean');
    }
    const notes = stress!.notes.join('\n');
    expect(notes).toMatch(/^probe( knee|: no step met)/m);
    expect(notes).toMatch(/^api( knee|: no step met)/m);
    expect(notes).toContain('probe beyond the knee: process alive throughout');
    expect(notes).toContain('api beyond the knee: process alive throughout');
    expect(notes).toContain('503s without Retry-After or problem+json: 0.'); // every shed answer says when to retry
    // Bad input under load: every kind was sent and answered, and none got a 5xx (but a shedding 503).
    expect(notes).toContain('5xx other than 503 with Retry-After: 0.');
    for (const kind of Object.keys(malformedKinds)) expect(notes).toMatch(new RegExp(`^${kind.replace(/[()+]/g, '\\$&')}: (4\\d\\d|503) × `, 'm'));

    expect(soak!.rows.map((row) => row.label)).toEqual([
      'knee: api API key GET /health/status, 10 connections',
      expect.stringMatching(/^soak at \d+ req\/s, 10 connections, 5 × 1 s$/),
    ]);
    expect(soak!.windows).toHaveLength(6); // the knee step, then five intervals
    expect(soak!.notes.join('\n')).toMatch(/RSS slope -?[\d.]+ MiB\/h .* p99 slope -?[\d.]+ ms\/h/);

    expect(stress!.charts?.map((chart) => chart.id)).toEqual(['probe-p99', 'api-p99', 'throughput', 'shed']);
    expect(soak!.charts?.map((chart) => chart.id)).toEqual(['rss', 'p99']);
    for (const chart of [...stress!.charts!, ...soak!.charts!]) {
      const svg = renderSvgChart(chart);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      expect(svg.match(/<polyline /g)).toHaveLength(chart.series.length);
      for (const series of chart.series) expect(series.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))).toBe(true);
    }
    expect(markdown).toContain('## stress');
    expect(markdown).toContain('## soak');
    expect(markdown).not.toContain('Charts:'); // nothing written, nothing linked
  }, 150_000);
});
