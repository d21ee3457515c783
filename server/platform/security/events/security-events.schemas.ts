/** Request and response schemas of GET /api/security-events. */
import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { problemSchema } from '../../../../contracts/problem.ts';

export const SECURITY_EVENT_KINDS = [
  'brute-force',
  'password-spraying',
  'permission-denials',
  'api-key-new-ip',
  'ip-rule-denials',
  'rate-limit-storm',
] as const;
export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
const dateTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. 2024-05-01T12:00:00Z' });

/** A page position: the last id served, as opaque base64url so clients do not build their own. */
export function encodeSecurityEventCursor(id: string): string {
  return Buffer.from(`e:${id}`, 'utf8').toString('base64url');
}

export function decodeSecurityEventCursor(text: string): string | undefined {
  if (!/^[\w-]{1,64}$/.test(text)) return undefined;
  const match = /^e:([1-9]\d{0,17})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  return match?.[1];
}

export const securityEventsQuerySchema = z
  .object({
    kind: z.enum(SECURITY_EVENT_KINDS).optional(),
    severity: severitySchema.optional(),
    from: dateTime.optional().describe('Events still seen at or after this instant'),
    to: dateTime.optional().describe('Events first seen before this instant'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z
      .string()
      .transform((text, ctx) => {
        const id = decodeSecurityEventCursor(text);
        if (id === undefined) {
          ctx.addIssue({ code: 'custom', message: 'is not a cursor this server issued' });
          return z.NEVER;
        }
        return id;
      })
      .optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: 'must not be after `to`', path: ['from'] });

export const securityEventSchema = z.object({
  id: z.string(),
  kind: z.string(),
  severity: severitySchema,
  organizationId: z.string(),
  subject: z.string(),
  count: z.number().int(),
  windowSeconds: z.number().int(),
  windowStart: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const securityEventsReplies = {
  200: z.object({ events: z.array(securityEventSchema), nextCursor: z.string().nullable() }),
  400: problemSchema,
};
