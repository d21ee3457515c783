/** Request and response schemas of the health routes (shapes come from contracts/health.ts). */
import { z } from 'zod';
import { healthReportQuerySchema, healthResponseSchema } from '../../../contracts/health.ts';
import { problemSchema } from '../../../contracts/problem.ts';

export const healthReplies = { 200: healthResponseSchema, 503: healthResponseSchema };
export const componentParamsSchema = z.object({ component: z.string().min(1).max(128) });
/** The full reports: a 304 when the client's ETag is current, a 400 for a bad query. */
export const reportReplies = { ...healthReplies, 400: problemSchema };
export const testComponentReplies = { 200: healthResponseSchema, 503: healthResponseSchema, 404: problemSchema };

/** The full reports' query, the cursor decoded during validation (the id of the last component listed). */
export const reportQuerySchema = healthReportQuerySchema.transform((query, context) => {
  if (query.cursor === undefined) return { ...query, after: undefined };
  const after = Buffer.from(query.cursor, 'base64url').toString('utf8');
  if (!after || Buffer.from(after, 'utf8').toString('base64url') !== query.cursor) {
    context.addIssue({ code: 'custom', path: ['cursor'], message: 'is not a cursor returned by this endpoint', input: query.cursor });
    return z.NEVER;
  }
  return { ...query, after };
});
export const encodeReportCursor = (componentId: string) => Buffer.from(componentId, 'utf8').toString('base64url');
