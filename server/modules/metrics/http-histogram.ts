/**
 * The request-duration histogram read for what happened over an interval, shared by the
 * time-series sampler and the CloudWatch EMF output: its requests by status class and its buckets
 * summed over every route, their increase since a previous reading, and a quantile from them.
 */
import { HTTP_DURATION_METRIC, type MetricFamily } from '../../platform/metrics/index.ts';

/** Upper bound → cumulative count (`+Inf` as Infinity), summed over every route, method and status. */
export type Buckets = Map<number, number>;

export interface HttpHistogramReading {
  /** Cumulative request count by status class (`2xx`, `5xx`, …). */
  byClass: Map<string, number>;
  buckets: Buckets;
}

export function readHttpHistogram(family: MetricFamily): HttpHistogramReading {
  const byClass = new Map<string, number>();
  const buckets: Buckets = new Map();
  for (const sample of family.values) {
    if (sample.metricName === `${HTTP_DURATION_METRIC}_count`) {
      const statusClass = String(sample.labels?.status_class ?? 'unknown');
      byClass.set(statusClass, (byClass.get(statusClass) ?? 0) + sample.value);
    } else if (sample.metricName === `${HTTP_DURATION_METRIC}_bucket`) {
      const le = sample.labels?.le;
      const bound = le === '+Inf' ? Infinity : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + sample.value);
    }
  }
  return { byClass, buckets };
}

/** A counter's change; a counter that went down was reset, and all it holds is new. */
export const increase = (current: number, previous = 0) => (current >= previous ? current - previous : current);

export function bucketIncrease(current: Buckets, previous: Buckets | undefined): Buckets {
  const change: Buckets = new Map();
  for (const [bound, count] of current) change.set(bound, increase(count, previous?.get(bound)));
  return change;
}

/**
 * The q-quantile of a histogram's (cumulative) buckets, as Prometheus's histogram_quantile
 * estimates it: linear interpolation inside the bucket the rank falls in. A rank in the +Inf
 * bucket gets the highest finite bound, all that is known of it. Undefined without observations.
 */
export function histogramQuantile(q: number, buckets: Iterable<readonly [number, number]>): number | undefined {
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank && count > lowerCount) {
      if (bound === Infinity) return lowerBound;
      return lowerBound + (bound - lowerBound) * ((rank - lowerCount) / (count - lowerCount));
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}
