/** GET /metrics: its answers as the OpenAPI description shows them. */
import { z } from 'zod';
import { problemSchema } from '../../../contracts/problem.ts';

export const metricsReplies = {
  200: {
    description: 'Every metric of this instance, streamed',
    content: {
      'text/plain': { schema: z.string().describe('Prometheus text format 0.0.4 (the default)') },
      'application/openmetrics-text': { schema: z.string().describe('OpenMetrics 1.0.0, when Accept asks for it') },
    },
  },
  401: problemSchema,
  403: problemSchema,
  429: problemSchema,
};
