/**
 * The Alertmanager API v2's objects (prometheus/alertmanager api/v2/openapi.yaml), as Watchkeeper
 * serves them under /alertmanager/api/v2 so Prometheus, amtool, Grafana's Alertmanager data
 * source and Karma work against it unchanged. Field names are the spec's.
 */
import { z } from 'zod';

/** Prometheus's classic label name grammar (what Alertmanager validates without UTF-8 mode). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const dateTime = z.iso.datetime({ offset: true });

export const labelSetSchema = z
  .record(z.string().regex(LABEL_NAME, 'label names match [a-zA-Z_][a-zA-Z0-9_]*'), z.string().max(4096))
  .describe('Label names to values');

export const postableAlertSchema = z
  .object({
    labels: labelSetSchema.refine((labels) => Object.values(labels).some((value) => value !== ''), 'at least one label pair required'),
    annotations: z.record(z.string(), z.string().max(65_536)).optional(),
    startsAt: dateTime.optional(),
    endsAt: dateTime.optional(),
    generatorURL: z.union([z.url({ protocol: /^https?$/ }), z.literal('')]).optional(),
  })
  .refine((alert) => !alert.startsAt || !alert.endsAt || Date.parse(alert.startsAt) <= Date.parse(alert.endsAt), {
    message: 'start time must be before end time',
    path: ['endsAt'],
  });
export type PostableAlert = z.infer<typeof postableAlertSchema>;

export const postableAlertsSchema = z.array(postableAlertSchema).max(10_000);

export const matcherSchema = z.object({
  name: z.string().min(1).max(1024),
  value: z.string().max(4096),
  isRegex: z.boolean(),
  isEqual: z.boolean().default(true),
});
export type ApiMatcher = z.output<typeof matcherSchema>;

export const receiverSchema = z.object({ name: z.string() });

export const alertStatusSchema = z.object({
  state: z.enum(['unprocessed', 'active', 'suppressed']),
  silencedBy: z.array(z.string()),
  inhibitedBy: z.array(z.string()),
  mutedBy: z.array(z.string()),
});

export const gettableAlertSchema = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  startsAt: z.string(),
  endsAt: z.string(),
  updatedAt: z.string(),
  generatorURL: z.string(),
  fingerprint: z.string(),
  receivers: z.array(receiverSchema),
  status: alertStatusSchema,
});
export type GettableAlert = z.infer<typeof gettableAlertSchema>;

export const alertGroupSchema = z.object({
  labels: z.record(z.string(), z.string()),
  receiver: receiverSchema,
  alerts: z.array(gettableAlertSchema),
});

const booleanParam = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .optional();
/** `filter` repeats (`?filter=a="b"&filter=c=~"d"`); one value arrives as a string. */
const filterParam = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .optional();

export const alertsQuerySchema = z.object({
  active: booleanParam,
  silenced: booleanParam,
  inhibited: booleanParam,
  unprocessed: booleanParam,
  muted: booleanParam,
  filter: filterParam,
  receiver: z.string().max(1024).optional(),
});

export const silencesQuerySchema = z.object({ filter: filterParam });

export const postableSilenceSchema = z
  .object({
    id: z.uuid().optional(),
    matchers: z.array(matcherSchema).min(1, 'a silence needs at least one matcher').max(100),
    startsAt: dateTime,
    endsAt: dateTime,
    createdBy: z.string().min(1).max(256),
    comment: z.string().min(1).max(4096),
  })
  .refine((silence) => Date.parse(silence.startsAt) <= Date.parse(silence.endsAt), {
    message: 'start time must not be after end time',
    path: ['endsAt'],
  });
export type PostableSilence = z.output<typeof postableSilenceSchema>;

export const gettableSilenceSchema = z.object({
  id: z.string(),
  status: z.object({ state: z.enum(['expired', 'active', 'pending']) }),
  updatedAt: z.string(),
  matchers: z.array(matcherSchema),
  startsAt: z.string(),
  endsAt: z.string(),
  createdBy: z.string(),
  comment: z.string(),
});
export type GettableSilence = z.infer<typeof gettableSilenceSchema>;

export const silenceIdParamsSchema = z.object({ silenceID: z.uuid() });
