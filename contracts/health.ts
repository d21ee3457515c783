/**
 * The shape of health responses: the IETF draft "Health Check Response Format for HTTP APIs"
 * (draft-inadarei-api-health-check), served as application/health+json.
 */
import { z } from 'zod';

export const HEALTH_CONTENT_TYPE = 'application/health+json';
export const healthStatusSchema = z.enum(['pass', 'warn', 'fail']);
export type HealthStatus = z.infer<typeof healthStatusSchema>;

export const componentTypeSchema = z.enum(['datastore', 'component', 'system', 'external']);
export type ComponentType = z.infer<typeof componentTypeSchema>;

export const healthCheckEntrySchema = z.object({
  componentId: z.string(),
  componentType: componentTypeSchema,
  observedValue: z.unknown().optional(),
  observedUnit: z.string().optional(),
  status: healthStatusSchema,
  affectedEndpoints: z.array(z.string()).optional(),
  time: z.string(),
  output: z.string().optional(),
});
export type HealthCheckEntry = z.infer<typeof healthCheckEntrySchema>;

export const healthResponseSchema = z.object({
  status: healthStatusSchema,
  version: z.string(),
  releaseId: z.string(),
  serviceId: z.string(),
  description: z.string(),
  notes: z.array(z.string()),
  output: z.string().optional(),
  checks: z.record(z.string(), z.array(healthCheckEntrySchema)),
  links: z.record(z.string(), z.string()).optional(),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;

/**
 * Optional narrowing of the full reports (`/health/status`, `/health/<group>`), so a client need
 * not fetch every component of a large installation: `status` keeps the components in those
 * statuses (a component not checked yet counts as `warn`, as its entries say), `limit` pages them
 * in the report's order, and `cursor` is the previous page's `links.next` cursor. The report's own
 * `status` and `output` still describe every component.
 */
export const healthReportQuerySchema = z.object({
  status: z
    .string()
    .max(32)
    .transform((value) => value.split(','))
    .pipe(z.array(healthStatusSchema).min(1))
    .optional()
    .describe('Comma-separated statuses to list, e.g. `fail,warn`'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Components per page'),
  cursor: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor from `links.next`')
    .optional()
    .describe('The cursor of `links.next` in the previous page'),
});
export type HealthReportQuery = z.output<typeof healthReportQuerySchema>;

/** Status → HTTP code, as the draft prescribes: pass and warn are 200, fail is 503. */
export function httpStatusForHealth(status: HealthStatus): 200 | 503 {
  return status === 'fail' ? 503 : 200;
}

// Strict ISO 8601 (a date-time with a zone, or a plain date read as midnight UTC): `Date.parse`
// alone rolls 2023-02-30 over into March and accepts six-digit years the database cannot store.
const isoDateTime = z.iso.datetime({ offset: true });
const isoDay = z.iso.date();
const isoDate = z
  .string()
  .max(64)
  .refine(
    (value) => isoDateTime.safeParse(value).success || isoDay.safeParse(value).success,
    'must be an ISO 8601 date-time with a time zone, e.g. 2025-01-31T12:00:00Z',
  )
  .transform((value) => new Date(value));

export const healthHistoryQuerySchema = z
  .object({
    // Control characters name no component, and PostgreSQL rejects NUL outright.
    component: z
      .string()
      .min(1)
      .max(128)
      .refine((value) => !/\p{Cc}/u.test(value), 'must not contain control characters')
      .optional(),
    from: isoDate.optional().describe('Start of the window (ISO 8601); defaults to 24 hours before `to`'),
    to: isoDate.optional().describe('End of the window (ISO 8601); defaults to now'),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Samples per page'),
    cursor: z.string().max(512).optional().describe('`nextCursor` of the previous page'),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after `to`', path: ['from'] });

export const healthHistorySampleSchema = z.object({
  id: z.string(),
  component: z.string(),
  /** For a bucket, the worst status among the checks it summarises. */
  status: healthStatusSchema,
  /** `raw`: one check run; `5m`, `1h` and `1d` (older, then oldest): a bucket of runs, summarised by the counts below. */
  resolution: z.enum(['raw', '5m', '1h', '1d']),
  checkedAt: z.string(),
  /** For a bucket, the median latency of its checks. */
  latencyMs: z.number().nullable(),
  sampleCount: z.number().int(),
  passCount: z.number().int(),
  warnCount: z.number().int(),
  failCount: z.number().int(),
  latencyP95Ms: z.number().nullable(),
  latencyMaxMs: z.number().nullable(),
  output: z.string().nullable(),
});
export type HealthHistorySample = z.infer<typeof healthHistorySampleSchema>;

export const healthStateChangeSchema = z.object({
  at: z.string(),
  /** Null for the first result after a start. */
  from: healthStatusSchema.nullable(),
  to: healthStatusSchema,
  output: z.string().nullable(),
});

export const healthRecoveryRecordSchema = z.object({
  at: z.string(),
  action: z.string().nullable(),
  outcome: z.string().nullable(),
  output: z.string().nullable(),
});

/** What the latency detector judges a component's checks against now (kept in memory, not stored). */
export const healthLatencyBaselineSchema = z.object({
  /** The baseline's p95 latency. */
  p95Ms: z.number(),
  /** A check slower than this counts as slow; most of the recent checks slow is a degradation. */
  thresholdMs: z.number(),
  /** Checks the baseline holds now. */
  samples: z.number().int(),
  /** False while it holds too few checks for the detector to judge. */
  judging: z.boolean(),
});
export type HealthLatencyBaseline = z.infer<typeof healthLatencyBaselineSchema>;

export const healthHistoryComponentSchema = z.object({
  component: z.string(),
  /** Checks in the window (a bucket counts every check it summarises). */
  samples: z.number().int(),
  /** Share of checks that passed or warned; null without checks in the window. */
  uptimePercent: z.number().nullable(),
  latencyMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }),
  /** False when the window reaches into buckets (5-minute, hourly, daily) and the percentiles are estimates. */
  latencyExact: z.boolean(),
  stateChanges: z.array(healthStateChangeSchema),
  recoveries: z.array(healthRecoveryRecordSchema),
  /** True when the window holds more state changes or recoveries than are listed (the newest are). */
  truncated: z.boolean(),
  /** The detector's baseline now, for a component monitored by this instance; null before one forms or for one no longer monitored. */
  latencyBaseline: healthLatencyBaselineSchema.nullable(),
});

export const healthHistoryResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  components: z.array(healthHistoryComponentSchema),
  /** One page of stored samples, oldest first. */
  samples: z.array(healthHistorySampleSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type HealthHistoryResponse = z.infer<typeof healthHistoryResponseSchema>;
