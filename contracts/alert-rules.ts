/**
 * An alert rule: where its condition is read (`source`), how long it must hold before firing
 * (`for`) and keep firing after it clears (`keepFiringFor`), how often it is evaluated, and the
 * labels and annotation templates of its alerts, as in a Prometheus alerting rule. Durations are
 * Prometheus strings on input and milliseconds once parsed. Shared with the browser.
 */
import { z } from 'zod';
import { compileTemplate, TemplateError } from './alert-templates.ts';
import { parseDuration } from './durations.ts';
import { metricAggregations } from './metrics.ts';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const alertSeverities = ['critical', 'warning', 'info'] as const;
export type AlertSeverity = (typeof alertSeverities)[number];

/** A Prometheus duration string, parsed to milliseconds. */
export const durationSchema = z.string().transform((text, context) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    context.addIssue({ code: 'custom', message: 'must be a duration such as 30s, 5m or 1h30m', input: text });
    return z.NEVER;
  }
  return ms;
});

const atLeast = (min: number, label: string) => durationSchema.refine((ms) => ms >= min, `must be at least ${label}`);

const labelsSchema = z.record(z.string().regex(LABEL_NAME, 'must be a label name'), z.string());

// Health: the components (one, several, or a report group), and which answer counts.
const healthShape = {
  component: z.string().min(1).optional(),
  components: z.array(z.string().min(1)).min(1).max(100).optional(),
  /** Every component of this report group (the monitor's `groups`). */
  group: z.string().min(1).optional(),
  statuses: z
    .array(z.enum(['fail', 'warn']))
    .min(1)
    .optional(),
  /** Fires while the latency detector sees a sustained slowdown; `$value` is latency / baseline p95. */
  latencyDegraded: z.literal(true).optional(),
};
function checkHealth(
  query: {
    component?: string | undefined;
    components?: string[] | undefined;
    group?: string | undefined;
    statuses?: unknown;
    latencyDegraded?: true | undefined;
  },
  context: z.RefinementCtx,
) {
  const selectors = [query.component, query.components, query.group].filter((s) => s !== undefined).length;
  if (selectors !== 1) context.addIssue({ code: 'custom', path: ['component'], message: 'give exactly one of component, components or group' });
  if ((query.statuses === undefined) === (query.latencyDegraded === undefined)) {
    context.addIssue({ code: 'custom', path: ['statuses'], message: 'give either statuses or latencyDegraded: true' });
  }
}

// Metric: the metrics query's semantics (one metric, label equality matchers, an aggregation),
// over one window ending now, compared with a threshold; or the metric's absence in the window.
export const alertComparisons = ['>', '>=', '<', '<=', '==', '!='] as const;
export type AlertComparison = (typeof alertComparisons)[number];
const metricShape = {
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a metric name'),
  /** `label: value` equality matchers: every one must hold (as `match` of the metrics query). */
  match: labelsSchema.default({}),
  aggregation: z.enum(metricAggregations).default('avg'),
  window: atLeast(1000, '1s').default(300_000),
  op: z.enum(alertComparisons).optional(),
  threshold: z.number().finite().optional(),
  /** Fires when no series of the metric has a point in the window. */
  absent: z.literal(true).optional(),
};
function checkMetric(query: { op?: unknown; threshold?: unknown; absent?: true | undefined }, context: z.RefinementCtx) {
  const threshold = query.op !== undefined && query.threshold !== undefined;
  const partial = (query.op === undefined) !== (query.threshold === undefined);
  if (partial) context.addIssue({ code: 'custom', path: [query.op === undefined ? 'op' : 'threshold'], message: 'op and threshold go together' });
  else if (threshold === (query.absent === true)) context.addIssue({ code: 'custom', path: ['op'], message: 'give either op and threshold, or absent: true' });
}

// Security events: how many events of some kinds, at least some severity, in a window.
export const securityEventSeverities = ['low', 'medium', 'high', 'critical'] as const;
const securityShape = {
  /** Event kinds (brute-force, password-spraying…); none given: every kind. */
  kinds: z
    .array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be an event kind'))
    .max(50)
    .default([]),
  minSeverity: z.enum(securityEventSeverities).default('low'),
  window: atLeast(1000, '1s').default(900_000),
  /** Fires when at least this many matching events were seen in the window. */
  count: z.number().int().min(1).default(1),
};

export const healthQuerySchema = z.strictObject(healthShape).superRefine(checkHealth);
export const metricQuerySchema = z.strictObject(metricShape).superRefine(checkMetric);
export const securityEventsQuerySchema = z.strictObject(securityShape);
export type HealthQuery = z.infer<typeof healthQuerySchema>;
export type MetricQuery = z.infer<typeof metricQuerySchema>;
export type SecurityEventsQuery = z.infer<typeof securityEventsQuerySchema>;

export const alertSourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('health'), ...healthShape }).superRefine(checkHealth),
  z.strictObject({ type: z.literal('metric'), ...metricShape }).superRefine(checkMetric),
  z.strictObject({ type: z.literal('security-events'), ...securityShape }),
]);

/** Checks every annotation compiles; a bad one is an issue at `annotations.<key>` with its column. */
const annotationsSchema = z.record(z.string().regex(LABEL_NAME, 'must be an annotation name'), z.string().max(4096)).superRefine((annotations, context) => {
  for (const [key, text] of Object.entries(annotations)) {
    try {
      compileTemplate(text, key);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `line ${error.line}, column ${error.column}: ${error.problem}`,
        params: { line: error.line, column: error.column },
        input: text,
      });
    }
  }
});

export const alertRuleSchema = z
  .strictObject({
    /** The alert's `alertname`. */
    name: z.string().max(200).regex(LABEL_NAME, 'must match [a-zA-Z_][a-zA-Z0-9_]*, as a Prometheus alertname'),
    source: alertSourceSchema,
    severity: z.enum(alertSeverities),
    for: durationSchema.default(0),
    keepFiringFor: durationSchema.default(0),
    interval: atLeast(10_000, '10s').default(60_000),
    labels: labelsSchema
      .refine((labels) => !('alertname' in labels), { message: 'alertname is the rule name', path: ['alertname'] })
      .refine((labels) => !('severity' in labels), { message: 'severity is set by the rule severity', path: ['severity'] })
      .default({}),
    annotations: annotationsSchema.default({}),
    enabled: z.boolean().default(true),
  })
  .transform((rule) => ({ ...rule, labels: { ...rule.labels, severity: rule.severity } }));

export type AlertRuleInput = z.input<typeof alertRuleSchema>;
export type AlertRule = z.output<typeof alertRuleSchema>;
