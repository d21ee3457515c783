/**
 * What the explorer shows, as its URL says it: a metric, label matchers (`match=label=value`,
 * repeatable, or the form's `match.<label>=value` fields without JavaScript) and an aggregation.
 */
import type { metricAggregations } from '../../../../contracts/metrics.ts';
import type { ChartSpec } from './chart-spec.ts';
import { unitOfMetricName } from './metric-units.ts';

export type Aggregation = (typeof metricAggregations)[number];

/** Each aggregation of the API in words (a Record, so one the API adds must be named here too). */
export const AGGREGATION_WORDS: Record<Aggregation, string> = {
  avg: 'average',
  min: 'lowest',
  max: 'highest',
  last: 'last value',
  count: 'number of points',
};
// Read from the words rather than the contract's list: that module brings zod into the page's bundle.
export const AGGREGATIONS = Object.keys(AGGREGATION_WORDS) as Aggregation[];

export interface ExplorerQuery {
  metric: string | undefined;
  match: Record<string, string>;
  aggregation: Aggregation;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FORM_MATCH = 'match.';

export function parseExplorerQuery(params: URLSearchParams): ExplorerQuery {
  const metric = params.get('metric') ?? '';
  const aggregation = params.get('aggregation') ?? 'avg';
  const match: Record<string, string> = {};
  for (const [name, value] of params) {
    if (name === 'match') {
      const at = value.indexOf('=');
      const label = value.slice(0, at);
      if (at > 0 && LABEL_NAME.test(label)) match[label] = value.slice(at + 1);
    } else if (name.startsWith(FORM_MATCH) && LABEL_NAME.test(name.slice(FORM_MATCH.length)) && value !== '') {
      match[name.slice(FORM_MATCH.length)] = value;
    }
  }
  return {
    metric: METRIC_NAME.test(metric) ? metric : undefined,
    match,
    aggregation: (AGGREGATIONS as string[]).includes(aggregation) ? (aggregation as Aggregation) : 'avg',
  };
}

/** The explorer's own URL parameters (the range's are the range picker's). */
export function explorerParams(query: ExplorerQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.metric) params.set('metric', query.metric);
  for (const [label, value] of Object.entries(query.match)) params.append('match', `${label}=${value}`);
  if (query.aggregation !== 'avg') params.set('aggregation', query.aggregation);
  return params;
}

/** A series named by its labels, the instance left to the chart (named only when there are several). */
export function seriesName(metric: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels).filter(([label]) => label !== 'instance');
  return pairs.length === 0 ? metric : pairs.map(([label, value]) => `${label}="${value}"`).join(', ');
}

export function explorerChart(query: ExplorerQuery & { metric: string }): ChartSpec {
  return {
    id: `explore?${explorerParams(query).toString()}`,
    title: query.metric,
    description: `The ${AGGREGATION_WORDS[query.aggregation]} of each step${
      Object.keys(query.match).length
        ? `, where ${Object.entries(query.match)
            .map(([l, v]) => `${l} = “${v}”`)
            .join(' and ')}`
        : ''
    }; unit read from the name's suffix.`,
    unit: unitOfMetricName(query.metric),
    aggregation: query.aggregation,
    queries: [{ metric: query.metric, match: query.match, name: (labels) => seriesName(query.metric, labels) }],
  };
}
