/** What one chart shows: which metrics, named how, in which unit. The pages are lists of these. */
import type { MetricLine } from './metric-series.ts';
import type { MetricUnit } from './metric-units.ts';

export interface ChartQuery {
  metric: string;
  /** Label equality matchers. */
  match?: Record<string, string>;
  /** A series' name in the legend and the table; the chart's title when there is one series. */
  name?: (labels: Record<string, string>) => string;
}

export interface ChartSpec {
  /** Unique on its page: the query key and the element ids derive from it. */
  id: string;
  title: string;
  /** One sentence under the title: what the lines mean. */
  description: string;
  unit: MetricUnit;
  queries: ChartQuery[];
  aggregation?: 'avg' | 'min' | 'max' | 'last' | 'count';
  /** Lines computed from the fetched ones (the error rate from the request rates). */
  derive?: (lines: MetricLine[]) => MetricLine[];
  /** The y axis starts at 0 and reaches at least this (1 for a ratio: 100 %). */
  yMax?: number;
}
