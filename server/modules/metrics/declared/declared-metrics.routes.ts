/**
 * /api/metrics/declared: the metrics the project acting in declares (see
 * contracts/declared-metrics.ts). Reading needs metrics:read there, declaring metrics:write.
 * Declarations of the config file are listed with `source: "config"` and are read-only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import {
  declaredMetricBodySchema,
  declaredMetricParamsSchema,
  declaredMetricSchema,
  declaredMetricsListSchema,
} from '../../../../contracts/declared-metrics.ts';
import type { Permission } from '../../../../contracts/permissions.ts';
import { problemSchema } from '../../../../contracts/problem.ts';
import type { Database } from '../../../infra/database/schema.ts';
import { AppError } from '../../../platform/errors/index.ts';
import type { DeclaredMetricsRepository, ListedDeclaration } from './declared-metrics-repository.ts';

const toReply = ({ updatedAt, ...metric }: ListedDeclaration) => ({ ...metric, ...(updatedAt ? { updatedAt: updatedAt.toISOString() } : {}) });

export async function declaredMetricsRoutes(app: FastifyInstance, { repository }: { repository: DeclaredMetricsRepository }) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['metrics'];
  const read = { access: { permission: 'metrics:read' } } as const;
  const write = { access: { permission: 'metrics:write' } } as const;
  const refusals = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema };

  const projectFor = async (request: FastifyRequest, permission: Permission) => (await request.scopeFor(permission)).projectId;

  const audit = (request: FastifyRequest, projectId: string, action: string, name: string, details?: Record<string, unknown>) => (trx: Transaction<Database>) =>
    app.audit.recordRequest(request, { action, outcome: 'success', target: { type: 'metric', label: name }, details: { projectId, ...details } }, { trx });

  routes.get(
    '/api/metrics/declared',
    { config: read, schema: { tags, summary: 'The metrics the project declares', response: { 200: declaredMetricsListSchema, ...refusals } } },
    async (request) => ({ items: (await repository.list(await projectFor(request, 'metrics:read'))).map(toReply) }),
  );

  routes.get(
    '/api/metrics/declared/:name',
    {
      config: read,
      schema: { tags, summary: 'One declared metric', params: declaredMetricParamsSchema, response: { 200: declaredMetricSchema, ...refusals } },
    },
    async (request) => {
      const found = await repository.get(await projectFor(request, 'metrics:read'), request.params.name);
      if (!found) throw new AppError('WK_ERR_METRIC_NOT_DECLARED', `${request.params.name} is not declared in this project`);
      return toReply(found);
    },
  );

  routes.put(
    '/api/metrics/declared/:name',
    {
      config: write,
      schema: {
        tags,
        summary: 'Declare a metric, or replace its declaration (what is already pushed is kept; later pushes are held to it)',
        params: declaredMetricParamsSchema,
        body: declaredMetricBodySchema,
        response: { 200: declaredMetricSchema, 201: declaredMetricSchema, ...refusals },
      },
    },
    async (request, reply) => {
      const projectId = await projectFor(request, 'metrics:write');
      const { name } = request.params;
      const created = await repository.put(projectId, name, request.body, audit(request, projectId, 'metric.declare', name, { declaration: request.body }));
      return reply.code(created ? 201 : 200).send(toReply((await repository.get(projectId, name))!));
    },
  );

  routes.delete(
    '/api/metrics/declared/:name',
    {
      config: write,
      schema: {
        tags,
        summary: 'Remove a declaration (the pushed series stay)',
        params: declaredMetricParamsSchema,
        response: { 204: z.null().describe('Removed'), ...refusals },
      },
    },
    async (request, reply) => {
      const projectId = await projectFor(request, 'metrics:write');
      await repository.remove(projectId, request.params.name, audit(request, projectId, 'metric.undeclare', request.params.name));
      return reply.code(204).send(null);
    },
  );
}
