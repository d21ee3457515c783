/** Request and response schemas of GET /health/history (shapes come from contracts/health.ts). */
import { z } from 'zod';
import { healthHistoryQuerySchema, healthHistoryResponseSchema } from '../../../../contracts/health.ts';
import { problemSchema } from '../../../../contracts/problem.ts';
import { decodeSampleCursor } from './history-cursor.ts';

/**
 * The contract's query with the cursor decoded during validation, so a cursor that was tampered
 * with is a 400 naming `/query/cursor` like any other bad parameter, not an error deeper down.
 */
export const historyQuerySchema = healthHistoryQuerySchema.transform((query, context) => {
  if (query.cursor === undefined) return { ...query, after: undefined };
  const after = decodeSampleCursor(query.cursor);
  if (!after) {
    context.addIssue({ code: 'custom', path: ['cursor'], message: 'is not a cursor returned by this endpoint', input: query.cursor });
    return z.NEVER;
  }
  return { ...query, after };
});

export const historyReplies = { 200: healthHistoryResponseSchema, 400: problemSchema, 404: problemSchema };
