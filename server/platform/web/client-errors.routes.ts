/**
 * POST /api/client-errors: what the dashboard's error boundaries caught, with the component stack.
 * Until the errors capability stores them, each is logged and counted; the errors issue reroutes
 * this to its store.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Counter } from 'prom-client';
import { z } from 'zod';
import { clientErrorReportSchema } from '../../../contracts/client-errors.ts';
import { problemSchema } from '../../../contracts/problem.ts';

export async function clientErrorsRoutes(app: FastifyInstance) {
  const reported = new Counter({
    name: 'watchkeeper_client_errors_total',
    help: 'Errors the dashboard caught in an error boundary and reported',
    registers: [app.metrics],
  });
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/client-errors',
    {
      // Public: a page can fail before anyone signs in. Rate-limited like the rest of /api.
      config: { access: 'optional' },
      schema: {
        tags: ['web'],
        summary: 'Report an error the dashboard caught (logged and counted)',
        body: clientErrorReportSchema,
        response: { 204: z.null(), 400: problemSchema, 429: problemSchema },
      },
    },
    async (request, reply) => {
      reported.inc();
      const user = request.principal?.kind === 'user' ? request.principal.userId : undefined;
      request.log.warn({ clientError: request.body, userId: user }, 'the dashboard reported an error');
      return reply.code(204).send(null);
    },
  );
}
