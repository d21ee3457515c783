/** The metric source against the real time-series tables in PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricQuerySchema } from '../../../../../contracts/alert-rules.ts';
import { SYSTEM_SCOPE } from '../../../../../contracts/tenancy.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../../../../test/helpers.ts';
import { createTimeSeriesRepository, type TimeSeriesRepository } from '../../../metrics/timeseries/index.ts';
import { createMetricSource } from './metric.ts';

const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const point = (name: string, value: number, labels: Record<string, string>) => ({ projectId: SYSTEM_SCOPE.projectId, name, labels, value });

describe('the metric alert source', () => {
  let m: MigratedDatabase;
  let repository: TimeSeriesRepository;
  beforeAll(async () => {
    m = await createMigratedDatabase();
    repository = createTimeSeriesRepository(m.db);
    await repository.ensurePartitions('raw', at(0), at(0));
    // Over 5 minutes, one point a minute: host a climbs 10, 20, … 50; host b stays at 95; c at 5 in another job.
    for (let i = 0; i < 5; i++) {
      await repository.write(
        [
          point('disk_used_percent', 10 * (i + 1), { host: 'a', job: 'node' }),
          point('disk_used_percent', 95, { host: 'b', job: 'node' }),
          point('disk_used_percent', 5, { host: 'c', job: 'db' }),
        ],
        at(i * 60),
      );
    }
  });
  afterAll(() => m?.close());

  const evaluate = (query: unknown, now = at(300)) =>
    createMetricSource({ repository }).evaluate(metricQuerySchema.parse(query), { ...SYSTEM_SCOPE, now, signal: new AbortController().signal });
  const values = async (query: unknown, now?: Date) => {
    const result = await evaluate(query, now);
    if (result.kind !== 'ok') throw new Error(JSON.stringify(result));
    return Object.fromEntries(result.samples.map((s) => [s.labels.host, s.value]));
  };

  it('answers the series whose aggregate over the window satisfies the threshold, valued at the aggregate', async () => {
    expect(await values({ metric: 'disk_used_percent', aggregation: 'avg', window: '5m', op: '>', threshold: 20 })).toEqual({ a: 30, b: 95 });
    expect(await values({ metric: 'disk_used_percent', aggregation: 'max', window: '5m', op: '>=', threshold: 50 })).toEqual({ a: 50, b: 95 });
    expect(await values({ metric: 'disk_used_percent', aggregation: 'min', window: '5m', op: '<', threshold: 10 })).toEqual({ c: 5 });
    expect(await values({ metric: 'disk_used_percent', aggregation: 'last', window: '5m', op: '==', threshold: 50 })).toEqual({ a: 50 });
    expect(await values({ metric: 'disk_used_percent', aggregation: 'count', window: '5m', op: '!=', threshold: 4 })).toEqual({ a: 5, b: 5, c: 5 });
    expect(await values({ metric: 'disk_used_percent', aggregation: 'avg', window: '5m', op: '<=', threshold: 5 })).toEqual({ c: 5 });
  });

  it('aggregates over the window ending now only', async () => {
    // The last two minutes hold a = 40 and 50.
    expect(await values({ metric: 'disk_used_percent', aggregation: 'avg', window: '2m', op: '>', threshold: 0, match: { host: 'a' } })).toEqual({ a: 45 });
  });

  it('labels each sample with its series labels and honours the label matchers', async () => {
    const result = await evaluate({ metric: 'disk_used_percent', match: { job: 'node' }, aggregation: 'last', window: '5m', op: '>', threshold: 90 });
    expect(result).toEqual({ kind: 'ok', samples: [{ labels: { host: 'b', job: 'node' }, value: 95 }] });
  });

  it('answers no-data for a threshold on a metric, or matchers, that no series has', async () => {
    expect(await evaluate({ metric: 'never_written', op: '>', threshold: 1 })).toMatchObject({ kind: 'no-data' });
    expect(await evaluate({ metric: 'disk_used_percent', match: { host: 'z' }, op: '>', threshold: 1 })).toMatchObject({ kind: 'no-data' });
  });

  it('answers nothing for a threshold when the series exist but have no point in the window', async () => {
    expect(await evaluate({ metric: 'disk_used_percent', op: '>', threshold: 0 }, at(3600))).toEqual({ kind: 'ok', samples: [] });
  });

  it('answers one sample, labelled with the matchers, when nothing has a point in the window of an absence rule', async () => {
    expect(await evaluate({ metric: 'never_written', match: { job: 'backup' }, absent: true })).toEqual({
      kind: 'ok',
      samples: [{ labels: { job: 'backup' }, value: 1 }],
    });
    expect(await evaluate({ metric: 'disk_used_percent', absent: true, window: '10m' }, at(3600))).toEqual({ kind: 'ok', samples: [{ labels: {}, value: 1 }] });
    expect(await evaluate({ metric: 'disk_used_percent', absent: true })).toEqual({ kind: 'ok', samples: [] });
  });

  it('reads only the rule’s project', async () => {
    const result = await createMetricSource({ repository }).evaluate(metricQuerySchema.parse({ metric: 'disk_used_percent', op: '>', threshold: 0 }), {
      organizationId: SYSTEM_SCOPE.organizationId,
      projectId: '00000000-0000-4000-8000-00000000ffff',
      now: at(300),
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ kind: 'no-data' });
  });
});
