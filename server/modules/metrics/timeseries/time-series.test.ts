/**
 * The time-series store against real PostgreSQL: points per step under each aggregation, label
 * matchers, the folds into 1-minute and 1-hour aggregates (weighted, written once), partitions
 * made ahead and dropped when expired; and GET /api/metrics/query over what the sampler records.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PROJECT_ID } from '../../../../contracts/tenancy.ts';
import { buildTestApp, createApiKey, createMigratedDatabase, createUser, login, type MigratedDatabase, type TestApp } from '../../../../test/helpers.ts';
import { histogramQuantile } from '../http-histogram.ts';
import { createTimeSeriesRepository, type TimeSeriesRepository } from './time-series-repository.ts';
import { METRICS_SAMPLE_JOB } from './index.ts';
import { resolutionFor } from './time-series.routes.ts';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const point = (name: string, value: number, labels: Record<string, string> = {}) => ({ projectId: SYSTEM_PROJECT_ID, name, labels, value });

describe('the time-series repository', () => {
  let m: MigratedDatabase;
  let repository: TimeSeriesRepository;
  beforeAll(async () => {
    m = await createMigratedDatabase();
    repository = createTimeSeriesRepository(m.db);
    await repository.ensurePartitions('raw', at(0), at(0));
    // Two series, one point every 15 s for 4 minutes: a = 0, 1, 2, … ; b = 100.
    for (let i = 0; i < 16; i++) await repository.write([point('ts_test', i, { host: 'a' }), point('ts_test', 100, { host: 'b' })], at(i * 15));
  });
  afterAll(() => m?.close());

  const query = (overrides: Partial<Parameters<TimeSeriesRepository['query']>[0]> = {}) =>
    repository.query({
      projectId: SYSTEM_PROJECT_ID,
      name: 'ts_test',
      matchers: { host: 'a' },
      from: at(0),
      to: at(240),
      stepSeconds: 60,
      aggregation: 'avg',
      resolution: 'raw',
      maxSeries: 10,
      ...overrides,
    });

  it('answers one point per step and series, under each aggregation, filtered by label matchers', async () => {
    const minute = (seconds: number) => (T0 + seconds * 1000) / 1000;
    expect((await query()).series).toEqual([
      {
        labels: { host: 'a' },
        points: [
          [minute(0), 1.5],
          [minute(60), 5.5],
          [minute(120), 9.5],
          [minute(180), 13.5],
        ],
      },
    ]);
    expect((await query({ aggregation: 'max' })).series[0]!.points.map(([, v]) => v)).toEqual([3, 7, 11, 15]);
    expect((await query({ aggregation: 'min' })).series[0]!.points.map(([, v]) => v)).toEqual([0, 4, 8, 12]);
    expect((await query({ aggregation: 'last' })).series[0]!.points.map(([, v]) => v)).toEqual([3, 7, 11, 15]);
    expect((await query({ aggregation: 'count' })).series[0]!.points.map(([, v]) => v)).toEqual([4, 4, 4, 4]);
    const both = await query({ matchers: {} });
    expect(both.series.map((s) => s.labels)).toEqual([{ host: 'a' }, { host: 'b' }]);
    expect(await query({ matchers: {}, maxSeries: 1 })).toMatchObject({ truncated: true, series: [{ labels: { host: 'a' } }] });
    expect((await query({ matchers: { host: 'nowhere' } })).series).toEqual([]);
  });

  it('keeps the first point of a series at a time when a second comes for the same time', async () => {
    await repository.write([point('ts_test', 999, { host: 'a' })], at(0));
    expect((await query({ aggregation: 'min', to: at(60) })).series[0]!.points).toEqual([[T0 / 1000, 0]]);
  });

  it('folds raw points into 1-minute aggregates and those into hours, weighted by their counts, each bucket once', async () => {
    expect(await repository.rollUp('1m', at(240))).toBe(8); // 4 minutes × 2 series
    expect(await repository.rollUp('1m', at(240))).toBe(0); // nothing new since
    const minutes = await query({ resolution: '1m' });
    expect(minutes.series[0]!.points.map(([, v]) => v)).toEqual([1.5, 5.5, 9.5, 13.5]);
    expect((await query({ resolution: '1m', aggregation: 'count' })).series[0]!.points.map(([, v]) => v)).toEqual([4, 4, 4, 4]);
    // The hour is only folded once it is over.
    expect(await repository.rollUp('1h', at(240))).toBe(0);
    expect(await repository.rollUp('1h', at(3600))).toBe(2);
    const hour = await query({ resolution: '1h', stepSeconds: 3600, to: at(3600) });
    expect(hour.series[0]!.points).toEqual([[(T0 - 12 * 60 * 0) / 1000, 7.5]]);
    expect((await query({ resolution: '1h', stepSeconds: 3600, to: at(3600), aggregation: 'max' })).series[0]!.points[0]![1]).toBe(15);
  });

  it('makes partitions ahead and drops the ones wholly before the retention, deleting the default partition’s old points', async () => {
    await repository.ensurePartitions('raw', at(-3 * 86_400), at(86_400));
    const partitions = async () =>
      (
        await sql<{
          name: string;
        }>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'metric_points_raw' ORDER BY 1`.execute(
          m.db,
        )
      ).rows.map((r) => r.name);
    expect(await partitions()).toEqual([
      'metric_points_raw_default',
      'metric_points_raw_p20260107',
      'metric_points_raw_p20260108',
      'metric_points_raw_p20260109',
      'metric_points_raw_p20260110',
      'metric_points_raw_p20260111',
    ]);
    // A point long before any partition lands in the default one.
    await repository.write([point('ts_test', 1, { host: 'old' })], new Date(Date.UTC(2025, 0, 1)));
    const { partitionsDropped } = await repository.dropBefore('raw', at(-86_400));
    expect(partitionsDropped).toBe(2); // the 7th and the 8th; the 9th ends after the cut
    expect(await partitions()).toEqual([
      'metric_points_raw_default',
      'metric_points_raw_p20260109',
      'metric_points_raw_p20260110',
      'metric_points_raw_p20260111',
    ]);
    expect((await query({ matchers: { host: 'old' }, from: new Date(0) })).series[0]!.points).toEqual([]);
    expect((await query()).series[0]!.points).toHaveLength(4);
  });
});

describe('the quantile of an interval’s requests', () => {
  it('interpolates within the bucket, as histogram_quantile does', () => {
    const buckets: [number, number][] = [
      [0.1, 50],
      [0.5, 90],
      [Infinity, 100],
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.3);
    expect(histogramQuantile(0.99, buckets)).toBe(0.5); // in +Inf: the highest finite bound
    expect(
      histogramQuantile(0.5, [
        [0.1, 0],
        [Infinity, 0],
      ]),
    ).toBeUndefined();
  });
});

describe('the finest resolution that holds a range’s start', () => {
  it('is raw within its retention, then minutes, then hours', () => {
    const now = Date.UTC(2026, 5, 1);
    const days = { raw: 2, '1m': 30, '1h': 400 };
    expect(resolutionFor(new Date(now - 3_600_000), days, now)).toBe('raw');
    expect(resolutionFor(new Date(now - 5 * 86_400_000), days, now)).toBe('1m');
    expect(resolutionFor(new Date(now - 90 * 86_400_000), days, now)).toBe('1h');
  });
});

describe('GET /api/metrics/query', () => {
  let t: TestApp;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    headers = (await createApiKey(t.app, { scopes: ['metrics:read'] })).headers;
    // Two sampling rounds with requests between: the second has rates.
    await t.app.scheduler.runNow(METRICS_SAMPLE_JOB);
    for (let i = 0; i < 5; i++) await t.app.inject({ url: '/health/liveness' });
    await t.app.health.runNow('database');
    const user = await createUser(t.app, { role: 'viewer' });
    await login(t.app, user);
    await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: 'not the password' } });
    await t.app.scheduler.runNow(METRICS_SAMPLE_JOB);
  });
  afterAll(() => t?.close());

  const get = (query: string, h = headers) => t.app.inject({ url: `/api/metrics/query?${query}`, headers: h });

  it('answers what the sampler recorded: memory, the data disk, HTTP rates by status class, with the instance label', async () => {
    const memory = await get('metric=watchkeeper_process_resident_memory_bytes&aggregation=last');
    expect(memory.statusCode).toBe(200);
    const body = memory.json();
    expect(body).toMatchObject({ metric: 'watchkeeper_process_resident_memory_bytes', resolution: 'raw', aggregation: 'last', truncated: false });
    expect(body.series).toHaveLength(1);
    expect(body.series[0].labels.instance).toMatch(/:/);
    expect(body.series[0].points[0][1]).toBeGreaterThan(10_000_000);
    const rates = (await get('metric=watchkeeper_http_requests_per_second&match=status_class=2xx')).json();
    expect(rates.series[0].labels).toMatchObject({ status_class: '2xx' });
    expect(rates.series[0].points[0][1]).toBeGreaterThan(0);
    expect((await get('metric=watchkeeper_data_disk_free_bytes')).json().series).toHaveLength(1);
    const listed = (await t.app.inject({ url: '/api/metrics', headers })).json();
    expect(listed.metrics).toContainEqual({ name: 'watchkeeper_http_requests_per_second', labels: ['instance', 'status_class'] });
  });

  it('records every health check finished in the interval, and the host’s network and data-disk bytes per second where Linux counts them', async () => {
    const durations = (await get('metric=watchkeeper_health_check_duration_seconds&match=component=database')).json();
    expect(durations.series).toHaveLength(1);
    expect(durations.series[0].labels).toMatchObject({ component: 'database', type: 'datastore' });
    expect(durations.series[0].points[0][1]).toBeGreaterThan(0);
    expect((await get('metric=watchkeeper_health_status&match=component=database&aggregation=last')).json().series[0].points[0][1]).toBe(0);
    if (process.platform !== 'linux') return;
    const received = (await get('metric=watchkeeper_host_network_receive_bytes_per_second')).json();
    expect(received.series).toHaveLength(1);
    expect(received.series[0].points[0][1]).toBeGreaterThanOrEqual(0);
  });

  it('records sign-ins and refused ones apart, as audit actions by outcome', async () => {
    const signIns = (outcome: string) => get(`metric=watchkeeper_user_actions&match=action=auth.login&match=outcome=${outcome}&aggregation=count`);
    expect((await signIns('success')).json().series).toHaveLength(1);
    expect((await signIns('failure')).json().series).toHaveLength(1);
  });

  it('records external services’ checks only with METRICS_HEALTH_SERIES=all (the health history has every check anyway)', async () => {
    const services = [{ name: 'shop-db', type: 'tcp' as const, host: '127.0.0.1', port: 5432 }];
    for (const [healthSeries, expected] of [
      ['builtin', 0],
      ['all', 1],
    ] as const) {
      const other = await buildTestApp({ services, env: { RATE_LIMIT_ENABLED: 'false', METRICS_HEALTH_SERIES: healthSeries } });
      try {
        await other.app.health.runNow('shop-db');
        await other.app.scheduler.runNow(METRICS_SAMPLE_JOB);
        const key = (await createApiKey(other.app, { scopes: ['metrics:read'] })).headers;
        const found = await other.app.inject({
          url: '/api/metrics/query?metric=watchkeeper_health_check_duration_seconds&match=component=shop-db',
          headers: key,
        });
        expect(found.json().series, healthSeries).toHaveLength(expected);
      } finally {
        await other.close();
      }
    }
  });

  it('refuses a bad metric name, a matcher without "=", a range that ends before it starts, a time past year 9999, and too many points, naming the field', async () => {
    for (const [query, pointer] of [
      ['metric=1bad', '/query/metric'],
      ['metric=x&match=nolabel', '/query/match'],
      ['metric=x&from=2000&to=1000', '/query/from'],
      ['metric=x&from=1000&to=1000000&step=1&resolution=raw', '/query/step'],
      ['metric=x&aggregation=median', '/query/aggregation'],
      // Past what a Date can hold: the fuzzer's 500 until the bound.
      ['metric=x&from=5765344956084643', '/query/from'],
    ]) {
      const response = await get(query!);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(JSON.stringify(response.json().errors), query).toContain(pointer);
    }
  });

  it('is for those who hold metrics:read where they act', async () => {
    const viewer = await createUser(t.app, { role: 'viewer' });
    expect((await get('metric=x', (await login(t.app, viewer)).headers)).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/metrics/query?metric=x' })).statusCode).toBe(401);
  });
});
