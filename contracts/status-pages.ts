/**
 * Public status pages: per organization, opt-in, at /status/<organization slug>. What an admin
 * writes (the page's settings, incidents, scheduled maintenance and their updates) and what the
 * public reads (GET /api/public/status/:slug).
 */
import { z } from 'zod';
import { healthStatusSchema } from './health.ts';

/** A health component of the organization: `<project id>/<component name>` (names are per project). */
export const componentKeySchema = z
  .string()
  .max(300)
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[^/\s]{1,200}$/, 'must be <project id>/<component name>');

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const components = z
  .array(componentKeySchema)
  .max(50)
  .refine((keys) => new Set(keys).size === keys.length, 'must not name a component twice');

/** PUT /api/status-page: the page's settings. */
export const statusPageSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  title: text(120),
  components,
});
export type StatusPageSettings = z.output<typeof statusPageSettingsSchema>;

/** A component the page may show, as the editor lists them. */
export const availableComponentSchema = z.object({
  key: componentKeySchema,
  name: z.string(),
  project: z.string(),
  status: healthStatusSchema.nullable(),
});
export type AvailableComponent = z.output<typeof availableComponentSchema>;

export const statusPageAdminSchema = z.object({
  slug: z.string(),
  settings: statusPageSettingsSchema,
  available: z.array(availableComponentSchema),
});
export type StatusPageAdmin = z.output<typeof statusPageAdminSchema>;

export const incidentStatuses = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const maintenanceStatuses = ['scheduled', 'in-progress', 'completed'] as const;
export const incidentStatusSchema = z.enum(incidentStatuses);
export const maintenanceStatusSchema = z.enum(maintenanceStatuses);
export const anyIncidentStatusSchema = z.enum([...incidentStatuses, ...maintenanceStatuses]);
export type AnyIncidentStatus = z.output<typeof anyIncidentStatusSchema>;
export const impactSchema = z.enum(['none', 'minor', 'major', 'critical']);
export type Impact = z.output<typeof impactSchema>;

/** An incident as an admin opens it: its first update's status and message come with it. */
export const incidentBodySchema = z.strictObject({
  kind: z.literal('incident'),
  title: text(200),
  impact: impactSchema,
  components,
  status: incidentStatusSchema.default('investigating'),
  message: text(5_000),
});

const moment = z.iso.datetime({ offset: true, local: true });

/** Scheduled maintenance: a window in the future (or now), announced with a first message. */
export const maintenanceBodySchema = z
  .strictObject({
    kind: z.literal('maintenance'),
    title: text(200),
    components,
    // A time without an offset (a datetime-local input's value) is read as UTC.
    startsAt: moment,
    endsAt: moment,
    message: text(5_000),
  })
  .refine((body) => Date.parse(body.endsAt) > Date.parse(body.startsAt), { path: ['endsAt'], message: 'must be after the start' });

/** POST /api/incidents: an incident or a scheduled maintenance. */
export const createIncidentBodySchema = z.discriminatedUnion('kind', [incidentBodySchema, maintenanceBodySchema]);
export type CreateIncidentBody = z.output<typeof createIncidentBodySchema>;

/** POST /api/incidents/:id/updates: what changed, and the status it is in now. */
export const incidentUpdateBodySchema = z.strictObject({
  status: anyIncidentStatusSchema,
  message: text(5_000),
});
export type IncidentUpdateBody = z.output<typeof incidentUpdateBodySchema>;

export const incidentUpdateSchema = z.object({
  id: z.uuid(),
  status: anyIncidentStatusSchema,
  message: z.string(),
  at: z.iso.datetime(),
});

/** An incident or maintenance as the admin API returns it: `components` are keys. */
export const incidentSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['incident', 'maintenance']),
  title: z.string(),
  impact: impactSchema,
  status: anyIncidentStatusSchema,
  components: z.array(z.string()),
  startsAt: z.iso.datetime().nullable(),
  endsAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  closedAt: z.iso.datetime().nullable(),
  /** Newest first. */
  updates: z.array(incidentUpdateSchema),
});
export type Incident = z.output<typeof incidentSchema>;

/** One UTC day of a component's history: null uptime when nothing was checked that day. */
export const statusDaySchema = z.object({
  date: z.iso.date(),
  uptimePercent: z.number().nullable(),
  samples: z.number().int(),
  failures: z.number().int(),
});
export type StatusDay = z.output<typeof statusDaySchema>;

export const publicComponentSchema = z.object({
  name: z.string(),
  /** The latest check; null before the first or when the component is not checked any more. */
  status: healthStatusSchema.nullable(),
  /** Over the days with data. */
  uptimePercent: z.number().nullable(),
  /** The last 90 days, oldest first, today last. */
  days: z.array(statusDaySchema),
});
export type PublicComponent = z.output<typeof publicComponentSchema>;

/** An incident as the public sees it: components by name, only those on the page. */
export const publicIncidentSchema = incidentSchema.omit({ components: true }).extend({ components: z.array(z.string()) });
export type PublicIncident = z.output<typeof publicIncidentSchema>;

export const overallStatusSchema = z.enum(['operational', 'degraded', 'outage', 'maintenance']);
export type OverallStatus = z.output<typeof overallStatusSchema>;

/** GET /api/public/status/:slug */
export const publicStatusSchema = z.object({
  title: z.string(),
  status: overallStatusSchema,
  generatedAt: z.iso.datetime(),
  components: z.array(publicComponentSchema),
  active: z.array(publicIncidentSchema),
  upcoming: z.array(publicIncidentSchema),
  /** Closed within the last 90 days, newest first. */
  past: z.array(publicIncidentSchema),
});
export type PublicStatus = z.output<typeof publicStatusSchema>;

export const STATUS_HISTORY_DAYS = 90;
