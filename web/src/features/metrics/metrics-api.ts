/** The metrics pages' calls: the metric names of the project acted in, and one chart's series over a range. */
import type { MetricsQueryResult } from '../../../../contracts/metrics.ts';
import type { Api } from '../../shared/api/client.ts';
import type { ChartSpec } from './chart-spec.ts';
import { nameByInstance, type MetricLine } from './metric-series.ts';
import { stepSecondsFor } from './time-range.ts';

export interface MetricListing {
  metrics: { name: string; labels: string[] }[];
}

export const metricListKey = ['metrics', 'list'] as const;

export const fetchMetricList = (api: Api) => api<MetricListing>('/api/metrics');

/** What a chart shows: its lines over the range it was asked for. */
export interface ChartData {
  lines: MetricLine[];
  from: number;
  to: number;
  stepSeconds: number;
  /** More series matched than one answer holds. */
  truncated: boolean;
}

export function queryPath({
  metric,
  match = {},
  aggregation,
  from,
  to,
  step,
}: {
  metric: string;
  match?: Record<string, string>;
  aggregation: string;
  from: number;
  to: number;
  step: number;
}) {
  const query = new URLSearchParams({ metric, from: String(Math.floor(from / 1000)), to: String(Math.floor(to / 1000)), step: String(step), aggregation });
  for (const [label, value] of Object.entries(match)) query.append('match', `${label}=${value}`);
  return `/api/metrics/query?${query.toString()}`;
}

export async function fetchChart(api: Api, spec: ChartSpec, window: { from: number; to: number }): Promise<ChartData> {
  const step = stepSecondsFor(window);
  const answers = await Promise.all(
    spec.queries.map((q) => api<MetricsQueryResult>(queryPath({ metric: q.metric, match: q.match, aggregation: spec.aggregation ?? 'avg', ...window, step }))),
  );
  const lines = answers.flatMap((answer, i) => {
    const { name = () => spec.title } = spec.queries[i]!;
    return answer.series.map((series) => ({ name: name(series.labels), labels: series.labels, points: series.points }));
  });
  return {
    lines: nameByInstance(spec.derive ? spec.derive(lines) : lines),
    ...window,
    stepSeconds: answers[0]?.stepSeconds ?? step,
    truncated: answers.some((answer) => answer.truncated),
  };
}
