/**
 * The time-series query API (GET /api/metrics/query): one metric, label equality matchers, a
 * range, a step and an aggregation per step. Not PromQL: for that, scrape /metrics with Prometheus.
 */
import { z } from 'zod';

export const metricAggregations = ['avg', 'min', 'max', 'last', 'count'] as const;
export const metricResolutions = ['raw', '1m', '1h'] as const;

/** At most this many points per series, as Prometheus's range queries allow. */
export const MAX_POINTS_PER_SERIES = 11_000;

const time = z.union([
  z.coerce
    .number()
    .finite()
    .min(0)
    // Beyond this a Date is invalid (and no RFC 3339 time is later: year 9999).
    .max(253_402_300_799, 'must be before the year 10000')
    .transform((seconds) => new Date(seconds * 1000)),
  z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
]);

const matcher = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*=/, 'must be label=value, the label a valid label name')
  .transform((text) => {
    const at = text.indexOf('=');
    return [text.slice(0, at), text.slice(at + 1)] as const;
  });

export const metricsQuerySchema = z
  .strictObject({
    metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a metric name'),
    /** `label=value`, repeatable: every one must hold. */
    match: z.union([matcher.transform((one) => [one]), z.array(matcher).max(20)]).optional(),
    /** Seconds since the epoch or an RFC 3339 time; default an hour before `to`. */
    from: time.optional(),
    /** Default now. */
    to: time.optional(),
    /** Seconds per point; default the range over 300, at least the resolution's. */
    step: z.coerce.number().int().min(1).max(86_400).optional(),
    aggregation: z.enum(metricAggregations).default('avg'),
    /** Default: the finest resolution whose retention reaches `from`. */
    resolution: z.enum(metricResolutions).optional(),
  })
  .transform((query) => {
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - 3_600_000);
    return { ...query, from, to, matchers: Object.fromEntries(query.match ?? []) as Record<string, string> };
  })
  .superRefine((query, context) => {
    if (query.from >= query.to) context.addIssue({ code: 'custom', path: ['from'], message: 'must be before `to`', input: query.from });
  });

export const metricsQueryResultSchema = z.object({
  metric: z.string(),
  resolution: z.enum(metricResolutions),
  aggregation: z.enum(metricAggregations),
  stepSeconds: z.number().int(),
  from: z.string(),
  to: z.string(),
  series: z.array(z.object({ labels: z.record(z.string(), z.string()), points: z.array(z.tuple([z.number(), z.number()])) })),
  /** More series matched than one answer holds: narrow the matchers. */
  truncated: z.boolean(),
});
export type MetricsQueryResult = z.infer<typeof metricsQueryResultSchema>;

export const metricsListSchema = z.object({ metrics: z.array(z.object({ name: z.string(), labels: z.array(z.string()) })) });
