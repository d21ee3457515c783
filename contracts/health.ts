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

/** Status → HTTP code, as the draft prescribes: pass and warn are 200, fail is 503. */
export function httpStatusForHealth(status: HealthStatus): 200 | 503 {
  return status === 'fail' ? 503 : 200;
}

const isoDate = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date-time')
  .transform((value) => new Date(value));

export const healthHistoryQuerySchema = z
  .object({
    component: z.string().min(1).max(128).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(512).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be after `to`', path: ['from'] });
