/**
 * HTTP request duration and request/response sizes by method, route *template* and status class,
 * and the requests the rate limits refused (429) by class.
 *
 * Counted in one synchronous onResponse hook into plain arrays: prom-client's `observe()` builds a
 * label object and hashes it into a string on every call, which the probe path (issue 8) cannot
 * afford. Here a request does three map lookups by strings it already has (route template, method)
 * and increments numbers; the cumulative buckets are summed at scrape time. The route is Fastify's
 * template (`/api/services/:id`), never the URL, so the series stay as many as the routes;
 * requests that matched no route share the label `unmatched`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { ScrapeTimeMetric, type Sample } from './scrape-time-metric.ts';

export const UNMATCHED_ROUTE = 'unmatched';
export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SIZE_BUCKETS = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Counts per bucket (not cumulative) plus sum and count: one histogram series. */
class Series {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

interface RouteSeries {
  duration: Series;
  requestSize: Series;
  responseSize: Series;
}

function histogramSamples(name: string, labels: Record<string, string>, series: Series): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  series.bounds.forEach((bound, i) => {
    cumulative += series.counts[i]!;
    samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
  });
  samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: series.count });
  samples.push({ metricName: `${name}_sum`, labels, value: series.sum });
  samples.push({ metricName: `${name}_count`, labels, value: series.count });
  return samples;
}

/** `"api";q=300;w=60` → `api`: the class the limiter that answered 429 named in RateLimit-Policy. */
function refusingClass(reply: FastifyReply): string {
  const policy = reply.getHeader('ratelimit-policy');
  const match = typeof policy === 'string' ? /^"([^"]+)"/.exec(policy) : null;
  // A 429 without the policy field is the sign-in throttle's (WK_ERR_SIGN_IN_LOCKED).
  return match?.[1] ?? 'sign-in';
}

export function createHttpMetrics({ registry }: { registry: Registry }) {
  // route template → method → status class index → series
  const byRoute = new Map<string, Map<string, Array<RouteSeries | undefined>>>();
  const refusals = new Map<string, number>();

  function seriesFor(route: string, method: string, statusIndex: number): RouteSeries {
    let byMethod = byRoute.get(route);
    if (!byMethod) byRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = []));
    let series = byStatus[statusIndex];
    if (!series) {
      series = { duration: new Series(DURATION_BUCKETS), requestSize: new Series(SIZE_BUCKETS), responseSize: new Series(SIZE_BUCKETS) };
      byStatus[statusIndex] = series;
    }
    return series;
  }

  function collect(name: string, pick: (series: RouteSeries) => Series): Sample[] {
    const samples: Sample[] = [];
    for (const [route, byMethod] of byRoute) {
      for (const [method, byStatus] of byMethod) {
        byStatus.forEach((series, index) => {
          if (series) samples.push(...histogramSamples(name, { method, route, status_class: STATUS_CLASSES[index]! }, pick(series)));
        });
      }
    }
    return samples;
  }

  new ScrapeTimeMetric({
    name: HTTP_DURATION_METRIC,
    help: 'Time from receiving a request to having sent its answer, by method, route template and status class',
    type: 'histogram',
    collect: () => collect(HTTP_DURATION_METRIC, (s) => s.duration),
    registers: [registry],
  });
  new ScrapeTimeMetric({
    name: 'http_request_size_bytes',
    help: 'Request body sizes (Content-Length), by method, route template and status class',
    type: 'histogram',
    collect: () => collect('http_request_size_bytes', (s) => s.requestSize),
    registers: [registry],
  });
  new ScrapeTimeMetric({
    name: 'http_response_size_bytes',
    help: 'Response body sizes (Content-Length; streamed answers without one are not counted), by method, route template and status class',
    type: 'histogram',
    collect: () => collect('http_response_size_bytes', (s) => s.responseSize),
    registers: [registry],
  });
  new ScrapeTimeMetric({
    name: 'watchkeeper_rate_limit_refusals_total',
    help: 'Requests answered 429, by the limit that refused them (a rate-limit class, `address` for the per-address guard, `sign-in` for the sign-in throttle)',
    type: 'counter',
    collect: () => [...refusals].map(([limit, value]) => ({ labels: { limit }, value })),
    registers: [registry],
  });

  /** The onResponse hook's body: synchronous, no allocation once a route's series exist. */
  function observe(request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    // The 404 handler's route has no URL (what request.is404 tests): one getter read, not two.
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const statusIndex = Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
    const series = seriesFor(route, request.method, statusIndex);
    series.duration.observe(reply.elapsedTime / 1000);
    const requestLength = request.headers['content-length'];
    series.requestSize.observe(requestLength === undefined ? 0 : Number(requestLength) || 0);
    const responseLength = reply.getHeader('content-length');
    if (responseLength !== undefined) series.responseSize.observe(Number(responseLength) || 0);
    if (status === 429) {
      const limit = refusingClass(reply);
      refusals.set(limit, (refusals.get(limit) ?? 0) + 1);
    }
  }

  return { observe };
}
