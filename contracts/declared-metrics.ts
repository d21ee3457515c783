/**
 * Declared metrics: what a project says its pushed metrics look like — help, type, the labels
 * their samples may carry (with the values allowed, or how many distinct values at most), a
 * histogram's buckets and a series limit of its own. A push of a declared metric that breaks its
 * declaration is refused whole; undeclared metrics are taken as the Pushgateway takes them
 * (unless METRICS_PUSH_REQUIRE_DECLARED). Declared in the config file (`declaredMetrics`,
 * Watchkeeper's own project, read-only through the API) or through /api/metrics/declared.
 */
import { z } from 'zod';

/** Prometheus's data model: https://prometheus.io/docs/concepts/data_model/ */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const declaredMetricTypes = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;

/** Labels no declaration may list: the project label Watchkeeper adds, and the ones a type owns. */
const RESERVED_LABELS = new Set(['watchkeeper_project', 'job']);

const metricName = z
  .string()
  .max(200)
  .regex(METRIC_NAME, 'must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)')
  .refine((name) => !name.startsWith('__'), 'names starting with __ are reserved');

const declaredLabelSchema = z
  .strictObject({
    name: z
      .string()
      .max(100)
      .regex(LABEL_NAME, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)')
      .refine((name) => !name.startsWith('__'), 'label names starting with __ are reserved')
      .refine((name) => !RESERVED_LABELS.has(name), 'is set by the grouping key or by Watchkeeper, not by a sample'),
    /** The only values the label may take. */
    values: z.array(z.string().max(1024)).min(1).max(1000).optional(),
    /** At most this many distinct values across the project's pushed series. */
    maxValues: z.number().int().min(1).max(100_000).optional(),
  })
  .superRefine((label, context) => {
    if (label.values && label.maxValues !== undefined)
      context.addIssue({ code: 'custom', path: ['maxValues'], message: 'give `values` or `maxValues`, not both', input: label.maxValues });
    if (label.values && new Set(label.values).size !== label.values.length)
      context.addIssue({ code: 'custom', path: ['values'], message: 'lists a value twice', input: label.values });
  });

const declarationFields = {
  help: z.string().max(1024).default(''),
  type: z.enum(declaredMetricTypes),
  labels: z.array(declaredLabelSchema).max(32).default([]),
  /** A histogram's upper bounds, ascending; `+Inf` is implied. */
  buckets: z.array(z.number().finite()).min(1).max(100).optional(),
  /** This metric's series limit in the project, instead of METRICS_PUSH_MAX_SERIES_PER_METRIC. */
  maxSeries: z.number().int().min(1).max(1_000_000).optional(),
};
type Declaration = z.infer<z.ZodObject<typeof declarationFields>>;

function checkDeclaration(metric: Declaration, context: z.RefinementCtx): void {
  const seen = new Set<string>();
  metric.labels.forEach((label, i) => {
    if (seen.has(label.name)) context.addIssue({ code: 'custom', path: ['labels', i, 'name'], message: 'is declared twice', input: label.name });
    seen.add(label.name);
    const owned = metric.type === 'histogram' ? 'le' : metric.type === 'summary' ? 'quantile' : undefined;
    if (label.name === owned)
      context.addIssue({ code: 'custom', path: ['labels', i, 'name'], message: `belongs to the ${metric.type} itself`, input: label.name });
  });
  if (metric.buckets !== undefined) {
    if (metric.type !== 'histogram') context.addIssue({ code: 'custom', path: ['buckets'], message: 'only a histogram has buckets', input: metric.buckets });
    else if (metric.buckets.some((bound, i) => i > 0 && bound <= metric.buckets![i - 1]!))
      context.addIssue({ code: 'custom', path: ['buckets'], message: 'must be strictly ascending', input: metric.buckets });
  }
}

/** The declaration without its name (the name is the path's in PUT /api/metrics/declared/:name). */
export const declaredMetricBodySchema = z.strictObject(declarationFields).superRefine(checkDeclaration);
export type DeclaredMetricBody = z.infer<typeof declaredMetricBodySchema>;

/** As the config file lists them: the name with the rest. */
export const declaredMetricConfigSchema = z.strictObject({ name: metricName, ...declarationFields }).superRefine(checkDeclaration);
export type DeclaredMetric = z.infer<typeof declaredMetricConfigSchema>;

export const declaredMetricParamsSchema = z.strictObject({ name: metricName });

export const declaredMetricSchema = z.object({
  name: z.string(),
  help: z.string(),
  type: z.enum(declaredMetricTypes),
  labels: z.array(z.object({ name: z.string(), values: z.array(z.string()).optional(), maxValues: z.number().int().optional() })),
  buckets: z.array(z.number()).optional(),
  maxSeries: z.number().int().optional(),
  /** `config`: from the config file, read-only here. */
  source: z.enum(['config', 'api']),
  updatedAt: z.string().optional(),
});
export const declaredMetricsListSchema = z.object({ items: z.array(declaredMetricSchema) });
