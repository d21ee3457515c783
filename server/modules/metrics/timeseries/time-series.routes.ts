/**
 * GET /api/metrics/query: one metric's series in the project the caller acts in, per step, at the
 * finest resolution whose retention reaches the start of the range. GET /api/metrics: the
 * metric names there, with their labels. Watchkeeper's own series are in its own project (the
 * system organization's): read by those who hold metrics:read there.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_POINTS_PER_SERIES, metricsListSchema, metricsQueryResultSchema, metricsQuerySchema } from '../../../../contracts/metrics.ts';
import { problemSchema } from '../../../../contracts/problem.ts';
import { AppError } from '../../../platform/errors/index.ts';
import { RESOLUTION_SECONDS, type Resolution, type TimeSeriesRepository } from './time-series-repository.ts';

const MAX_SERIES = 500;
const DEFAULT_POINTS = 300;

export interface RetentionDays {
  raw: number;
  '1m': number;
  '1h': number;
}

/** The finest resolution that still holds `from`. */
export function resolutionFor(from: Date, retentionDays: RetentionDays, now = Date.now()): Resolution {
  const ageDays = (now - from.getTime()) / 86_400_000;
  if (ageDays <= retentionDays.raw) return 'raw';
  if (ageDays <= retentionDays['1m']) return '1m';
  return '1h';
}

export async function timeSeriesRoutes(
  app: FastifyInstance,
  { repository, retentionDays }: { repository: TimeSeriesRepository; retentionDays: RetentionDays },
) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const config = { access: { permission: 'metrics:read' } } as const;
  const tags = ['metrics'];

  routes.get(
    '/api/metrics/query',
    {
      schema: {
        tags,
        summary: 'Query a metric of the time-series store (not PromQL)',
        querystring: metricsQuerySchema,
        response: { 200: metricsQueryResultSchema, 400: problemSchema, 401: problemSchema, 403: problemSchema },
      },
      config,
    },
    async (request) => {
      const scope = await request.scopeFor('metrics:read');
      const query = request.query;
      const resolution = query.resolution ?? resolutionFor(query.from, retentionDays);
      const rangeSeconds = (query.to.getTime() - query.from.getTime()) / 1000;
      const floor = Math.max(RESOLUTION_SECONDS[resolution], 1);
      const stepSeconds = Math.max(query.step ?? Math.ceil(rangeSeconds / DEFAULT_POINTS), floor);
      if (rangeSeconds / stepSeconds > MAX_POINTS_PER_SERIES) {
        throw new AppError('WK_ERR_VALIDATION', `the range over the step gives more than ${MAX_POINTS_PER_SERIES} points: widen the step`, {
          fieldErrors: [{ pointer: '/query/step', detail: `at least ${Math.ceil(rangeSeconds / MAX_POINTS_PER_SERIES)} for this range` }],
        });
      }
      const { series, truncated } = await repository.query({
        projectId: scope.projectId,
        name: query.metric,
        matchers: query.matchers,
        from: query.from,
        to: query.to,
        stepSeconds,
        aggregation: query.aggregation,
        resolution,
        maxSeries: MAX_SERIES,
      });
      return {
        metric: query.metric,
        resolution,
        aggregation: query.aggregation,
        stepSeconds,
        from: query.from.toISOString(),
        to: query.to.toISOString(),
        series,
        truncated,
      };
    },
  );

  routes.get(
    '/api/metrics',
    {
      schema: {
        tags,
        summary: 'The metrics of the time-series store in this project, with their label names',
        querystring: z.strictObject({}),
        response: { 200: metricsListSchema, 401: problemSchema, 403: problemSchema },
      },
      config,
    },
    async (request) => {
      const scope = await request.scopeFor('metrics:read');
      return { metrics: await repository.metrics(scope.projectId) };
    },
  );
}
