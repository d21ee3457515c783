/** External services Watchkeeper checks: an HTTP(S) URL or a TCP host:port. */
import { z } from 'zod';
import { healthStatusSchema } from './health.ts';

export const serviceNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes, starting with a letter or digit');

// Linear: each repeated label starts with a literal dot and the lookahead caps the length at 253.
// eslint-disable-next-line security/detect-unsafe-regex
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const ipv6 = z.ipv6();

const common = {
  name: serviceNameSchema,
  critical: z.boolean().default(false),
  intervalMs: z.number().int().min(1_000).max(86_400_000).optional(),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  /** How long the circuit breaker stays open before letting one half-open trial through. */
  breakerCooldownMs: z.number().int().min(1_000).max(86_400_000).optional(),
};

// Unknown fields are rejected, not dropped: a typo such as `expectedstatus` must not silently
// fall back to the default, neither in the config file nor through the API.
const closed = {
  error: (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : undefined,
};

export const httpServiceSchema = z.strictObject(
  {
    ...common,
    type: z.literal('http'),
    // z.url checks the shape before the protocol, so a malformed value is a 400, never a thrown TypeError.
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2_048),
    method: z.enum(['GET', 'HEAD']).default('GET'),
    expectedStatus: z.array(z.number().int().min(100).max(599)).min(1).max(20).default([200]),
  },
  closed,
);

export const tcpServiceSchema = z.strictObject(
  {
    ...common,
    type: z.literal('tcp'),
    host: z
      .string()
      .min(1)
      .max(253)
      .refine((value) => HOSTNAME.test(value) || ipv6.safeParse(value).success, 'must be a hostname or an IP address (no scheme, no port)'),
    port: z.number().int().min(1).max(65535),
  },
  closed,
);

export const externalServiceConfigSchema = z.discriminatedUnion('type', [httpServiceSchema, tcpServiceSchema]);
/**
 * A service added through the API. Its name must not be `new`: the dashboard's /services/new is the
 * form that adds one, so a service of that name could not be opened there. (Stored and config-file
 * services are read with the schema above, so an older one of that name still loads.)
 */
export const newServiceSchema = externalServiceConfigSchema.refine((service) => service.name !== 'new', {
  path: ['name'],
  message: 'must not be "new" (the dashboard adds services at /services/new)',
});
export type ExternalServiceInput = z.input<typeof externalServiceConfigSchema>;
export type ExternalService = z.output<typeof externalServiceConfigSchema>;
export type HttpService = Extract<ExternalService, { type: 'http' }>;
export type TcpService = Extract<ExternalService, { type: 'tcp' }>;

/**
 * The body of a replace (PUT): the whole definition. The name comes from the path; it may be
 * repeated in the body but must then match (renaming is delete + create).
 */
export const serviceReplacementSchema = z.discriminatedUnion('type', [httpServiceSchema.partial({ name: true }), tcpServiceSchema.partial({ name: true })]);
export type ServiceReplacement = z.output<typeof serviceReplacementSchema>;

/** Where a service is defined: the config file (read-only through the API) or the API. */
export const serviceSourceSchema = z.enum(['config', 'api']);
export type ServiceSource = z.infer<typeof serviceSourceSchema>;

/** The latest check of a service by the instance that answered (every instance checks every service). */
export const serviceHealthSchema = z.object({
  /** Null until the first check has finished. */
  status: healthStatusSchema.nullable(),
  output: z.string().nullable(),
  latencyMs: z.number().nullable(),
  checkedAt: z.iso.datetime().nullable(),
  consecutiveFailures: z.number().int(),
});
export type ServiceHealth = z.output<typeof serviceHealthSchema>;

const recordFields = {
  source: serviceSourceSchema,
  /** Null for services from the config file. */
  createdAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime().nullable(),
  health: serviceHealthSchema,
};

/** A service as the API returns it: its definition (defaults applied), where it comes from, and its latest check. */
export const serviceRecordSchema = z.discriminatedUnion('type', [httpServiceSchema.extend(recordFields), tcpServiceSchema.extend(recordFields)]);
export type ServiceRecord = z.output<typeof serviceRecordSchema>;

/**
 * Optional paging of `GET /api/services` (by name, the list's order): without `limit` every
 * service is listed, as it always was; with it, `nextCursor` of a page is the next one's `cursor`.
 * A cursor names where a page ended, so a service removed in between does not break the walk.
 */
export const servicesListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Services per page; every service when left out'),
  cursor: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a `nextCursor` from this endpoint')
    .optional()
    .describe('`nextCursor` of the previous page'),
});

export const serviceListSchema = z.object({
  items: z.array(serviceRecordSchema),
  /** Pass as `cursor` for the next page; null on the last page (and when not paged). */
  nextCursor: z.string().nullable(),
});
export type ServiceList = z.output<typeof serviceListSchema>;
