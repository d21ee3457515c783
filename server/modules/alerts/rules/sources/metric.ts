/**
 * Metric rules over the time-series store, with the metrics query's semantics (one metric, label
 * equality matchers, one of its aggregations) over one window ending now: a threshold rule answers
 * the series whose aggregate satisfies the comparison; an absence rule answers one sample when no
 * series has a point in the window (labelled with its matchers, as Prometheus's `absent()`).
 */
import type { AlertComparison, MetricQuery } from '../../../../../contracts/alert-rules.ts';
import { metricQuerySchema } from '../../../../../contracts/alert-rules.ts';
import { resolutionFor, type RetentionDays, type TimeSeriesRepository } from '../../../metrics/timeseries/index.ts';
import type { AlertSource, SourceContext, SourceResult } from './alert-source.ts';

/** As many series as the metrics query answers at once. */
const MAX_SERIES = 500;

const COMPARE: Record<AlertComparison, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

export function createMetricSource({
  repository,
  retentionDays,
}: {
  repository: Pick<TimeSeriesRepository, 'query'>;
  /** With it, a window older than raw retention reads the 1-minute or 1-hour aggregates. */
  retentionDays?: RetentionDays;
}): AlertSource<MetricQuery> {
  return {
    type: 'metric',
    querySchema: metricQuerySchema,
    async evaluate(query: MetricQuery, { projectId, now }: SourceContext): Promise<SourceResult> {
      const from = new Date(now.getTime() - query.window);
      const { series } = await repository.query({
        projectId,
        name: query.metric,
        matchers: query.match,
        from,
        to: now,
        // One step from the epoch past `now`: date_bin puts the whole window in one bucket, so the
        // aggregate is over the window, not averaged from per-step aggregates.
        stepSeconds: Math.floor(now.getTime() / 1000) + 1,
        aggregation: query.aggregation,
        resolution: retentionDays ? resolutionFor(from, retentionDays, now.getTime()) : 'raw',
        maxSeries: MAX_SERIES,
      });
      const withPoints = series.filter((s) => s.points.length > 0);
      if (query.absent) {
        return { kind: 'ok', samples: withPoints.length === 0 ? [{ labels: { ...query.match }, value: 1 }] : [] };
      }
      if (series.length === 0) return { kind: 'no-data', reason: `no series of ${query.metric} matches ${JSON.stringify(query.match)}` };
      const compare = COMPARE[query.op!];
      const samples = withPoints.map((s) => ({ labels: s.labels, value: s.points.at(-1)![1] })).filter((sample) => compare(sample.value, query.threshold!));
      return { kind: 'ok', samples };
    },
  };
}
