/** The push routes' answers as the OpenAPI description shows them. */
import { z } from 'zod';
import { problemSchema } from '../../../../contracts/problem.ts';

const refusals = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  409: problemSchema,
  413: problemSchema,
  415: problemSchema,
  429: problemSchema,
  503: problemSchema,
};

export const pushReplies = {
  200: { description: 'The push is stored: every instance exports it from now on', content: { 'text/plain': { schema: z.string().max(0) } } },
  ...refusals,
};

export const deleteGroupReplies = {
  202: { description: 'The group is gone (or was never there)', content: { 'text/plain': { schema: z.string().max(0) } } },
  401: problemSchema,
  403: problemSchema,
  429: problemSchema,
  503: problemSchema,
};
