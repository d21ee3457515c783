/** RFC 9457 problem details, as every Watchkeeper error response carries them. */
import { z } from 'zod';
import { errorCodes } from './errors.ts';

export const problemFieldErrorSchema = z.object({
  /** JSON pointer into the request part, e.g. `/query/limit` or `/body/url`. */
  pointer: z.string(),
  detail: z.string(),
});

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  /** Which situation this is: one of the catalogue's codes (contracts/errors.ts). */
  code: z.enum(errorCodes),
  requestId: z.string().optional(),
  errors: z.array(problemFieldErrorSchema).optional(),
});

export type Problem = z.infer<typeof problemSchema>;
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
