/** Request and response schemas of the health routes (shapes come from contracts/health.ts). */
import { z } from 'zod';
import { healthResponseSchema } from '../../../contracts/health.ts';
import { problemSchema } from '../../../contracts/problem.ts';

export const healthReplies = { 200: healthResponseSchema, 503: healthResponseSchema };
export const componentParamsSchema = z.object({ component: z.string().min(1).max(128) });
export const testComponentReplies = { 200: healthResponseSchema, 503: healthResponseSchema, 404: problemSchema };
