/**
 * /api/services: external services managed through the API, in the project the caller acts in
 * (X-Project, the API key's project, or the organization's first). Services from the config file
 * belong to Watchkeeper's own project and are listed there too (source `config`) but are
 * read-only: PUT and DELETE on them answer 409.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import type { TenantScope } from '../../../contracts/tenancy.ts';
import type { Database } from '../../infra/database/schema.ts';
import { encodingFor, sendAnswer } from '../health/index.ts';
import type { ServiceDirectory } from './service-directory.ts';
import {
  checkServiceReplies,
  createServiceBodySchema,
  createServiceReplies,
  deleteServiceReplies,
  getServiceReplies,
  listServicesQuerySchema,
  listServicesReplies,
  replaceServiceBodySchema,
  replaceServiceReplies,
  serviceParamsSchema,
} from './services.schemas.ts';

export interface ServicesRoutesOptions {
  directory: ServiceDirectory;
}

export async function servicesRoutes(app: FastifyInstance, { directory }: ServicesRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['services'];
  const read = { access: { permission: 'services:read' } } as const;
  const write = { access: { permission: 'services:write' } } as const;
  const readScope = (request: FastifyRequest) => request.scopeFor('services:read');
  const writeScope = (request: FastifyRequest) => request.scopeFor('services:write');

  // A configuration change and its record commit in one transaction (the directory's), or neither does.
  const audit =
    (request: FastifyRequest, scope: TenantScope, action: string, name: string, details?: Record<string, unknown>) => (trx?: Transaction<Database>) =>
      app.audit.recordRequest(
        request,
        { action, outcome: 'success', target: { type: 'service', label: name }, details: { projectId: scope.projectId, ...details } },
        { trx },
      );

  routes.get(
    '/api/services',
    {
      config: read,
      schema: {
        tags,
        summary: 'Every external service: from the config file and from the API (paged with limit and cursor)',
        querystring: listServicesQuerySchema,
        response: listServicesReplies,
      },
    },
    // Sent already serialized (ServiceDirectory.listAnswer) rather than through the route's zod
    // serializer, which took seconds over 10,000 services. The records are built from parsed
    // definitions, so they have the schema's shape; services-api.test.ts checks the answer against it.
    // Gzipped when the client accepts it (from blocks deflated once per change, not per request),
    // and a 304 when the client's ETag is still the list's.
    async (request, reply) => {
      const encoding = encodingFor(request);
      const { body, etag } = await directory.listAnswer(await readScope(request), request.query, encoding);
      return sendAnswer(request, reply, { code: 200, contentType: 'application/json; charset=utf-8', encoding, etag, body });
    },
  );

  routes.post(
    '/api/services',
    { config: write, schema: { tags, summary: 'Add an external service to check', body: createServiceBodySchema, response: createServiceReplies } },
    async (request, reply) => {
      const scope = await writeScope(request);
      const created = await directory.create(scope, request.body, {
        within: audit(request, scope, 'service.create', request.body.name, { definition: request.body }),
      });
      return reply.code(201).header('location', `/api/services/${created.name}`).send(created);
    },
  );

  routes.get(
    '/api/services/:name',
    { config: read, schema: { tags, summary: 'One external service', params: serviceParamsSchema, response: getServiceReplies } },
    async (request) => directory.get(await readScope(request), request.params.name),
  );

  routes.put(
    '/api/services/:name',
    {
      config: write,
      schema: {
        tags,
        summary: "Replace a service's definition (config-file services are read-only)",
        params: serviceParamsSchema,
        body: replaceServiceBodySchema,
        response: replaceServiceReplies,
      },
    },
    async (request) => {
      const scope = await writeScope(request);
      const replaced = await directory.replace(scope, request.params.name, request.body, {
        within: audit(request, scope, 'service.update', request.params.name, { definition: request.body }),
      });
      return replaced;
    },
  );

  routes.delete(
    '/api/services/:name',
    {
      config: write,
      schema: {
        tags,
        summary: 'Stop checking a service and forget it (config-file services are read-only)',
        params: serviceParamsSchema,
        response: deleteServiceReplies,
      },
    },
    async (request, reply) => {
      const scope = await writeScope(request);
      await directory.remove(scope, request.params.name, { within: audit(request, scope, 'service.delete', request.params.name) });
      return reply.code(204).send(null);
    },
  );

  routes.post(
    '/api/services/:name/check',
    {
      config: write,
      schema: { tags, summary: "Run a service's check now and return the service with its result", params: serviceParamsSchema, response: checkServiceReplies },
    },
    async (request) => {
      const scope = await writeScope(request);
      const checked = await directory.check(scope, request.params.name);
      await audit(request, scope, 'health.test', request.params.name, { status: checked.health.status })();
      return checked;
    },
  );
}
