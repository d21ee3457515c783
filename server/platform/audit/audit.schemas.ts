/** Request and response schemas of the /api/audit routes. */
import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { problemSchema } from '../../../contracts/problem.ts';

const actorTypeSchema = z.enum(['user', 'api-key', 'system', 'anonymous']);
const outcomeSchema = z.enum(['success', 'failure', 'denied']);
const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00Z' });
const identifier = z.string().min(1).max(256);

/** A page position: the last seq served, as opaque base64url so clients do not build their own. */
export function encodeAuditCursor(seq: number): string {
  return Buffer.from(`s:${seq}`, 'utf8').toString('base64url');
}

export function decodeAuditCursor(text: string): number | undefined {
  if (!/^[\w-]{1,64}$/.test(text)) return undefined;
  const match = /^s:([1-9]\d{0,15})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

const filterShape = {
  action: z
    .string()
    .max(128)
    // Linear: each repetition starts with a literal dot that [\w-] cannot match; input is capped at 128.
    // eslint-disable-next-line security/detect-unsafe-regex
    .regex(/^[\w-]+(\.[\w-]+)*(\.\*)?$/, 'must be an action such as `auth.login`, or a prefix such as `auth.*`')
    .optional(),
  actorType: actorTypeSchema.optional(),
  actorId: identifier.optional(),
  targetType: identifier.optional(),
  targetId: identifier.optional(),
  outcome: outcomeSchema.optional(),
  from: dateTime.optional().describe('Inclusive'),
  to: dateTime.optional().describe('Exclusive'),
};

const fromNotAfterTo = (q: { from?: string | undefined; to?: string | undefined }) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to);
const fromNotAfterToIssue = { message: 'must not be after `to`', path: ['from'] };

export const auditQuerySchema = z
  .object({
    ...filterShape,
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z
      .string()
      .transform((text, ctx) => {
        const seq = decodeAuditCursor(text);
        if (seq === undefined) {
          ctx.addIssue({ code: 'custom', message: 'is not a cursor this server issued' });
          return z.NEVER;
        }
        return seq;
      })
      .optional(),
  })
  .refine(fromNotAfterTo, fromNotAfterToIssue);

export const auditExportQuerySchema = z
  .object({
    ...filterShape,
    format: z.enum(['ndjson', 'csv']).default('ndjson'),
  })
  .refine(fromNotAfterTo, fromNotAfterToIssue);

export const auditRecordSchema = z.object({
  seq: z.number().int(),
  occurredAt: z.string().describe('UTC with microseconds, exactly as hashed'),
  organizationId: z.string().nullable(),
  actor: z.object({ type: actorTypeSchema, id: z.string().nullable(), label: z.string().nullable() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable(), label: z.string().nullable() }).nullable(),
  outcome: outcomeSchema,
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditRecordView = z.infer<typeof auditRecordSchema>;

export const auditPageSchema = z.object({
  records: z.array(auditRecordSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
});

export const auditChainReportSchema = z.object({
  intact: z.boolean(),
  records: z.number().int(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  problemCount: z.number().int(),
  problems: z.array(
    z.object({
      kind: z.enum(['altered', 'removed', 'reordered', 'truncated', 'rewritten']),
      seq: z.number().int(),
      lastSeq: z.number().int().optional(),
      detail: z.string(),
    }),
  ),
  anchors: z
    .array(
      z.object({
        source: z.enum(['file', 'redis']),
        location: z.string(),
        status: z.enum(['absent', 'unavailable', 'consistent', 'violated']),
        anchor: z.object({ seq: z.number().int(), hash: z.string(), at: z.string() }).nullable(),
        detail: z.string(),
      }),
    )
    .describe('The chain held against each anchor kept outside the database (a file under DATA_DIR, and Redis when configured)'),
});

export const auditQueryReplies = { 200: auditPageSchema, 400: problemSchema };
export const auditExportReplies = {
  200: {
    description: 'Matching records, oldest first, streamed',
    content: {
      'application/x-ndjson': { schema: auditRecordSchema.describe('One record per line') },
      'text/csv': { schema: z.string().describe("A header row, then one record per row; cells starting with = + - @ are prefixed with '") },
    },
  },
  400: problemSchema,
};
export const auditVerifyReplies = { 200: auditChainReportSchema };
