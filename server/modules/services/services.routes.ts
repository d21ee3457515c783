/**
 * /api/services: external services managed through the API, in the project the caller acts in
 * (X-Project, the API key's project, or the organization's first). Services from the config file
 * belong to Watchkeeper's own project and are listed there too (source `config`) but are
 * read-only: PUT and DELETE on them answer 409.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import type { Permission } from '../../../contracts/permissions.ts';
import type { TenantScope } from '../../../contracts/tenancy.ts';
import type { Database } from '../../infra/database/schema.ts';
import { acceptsGzip } from '../health/index.ts';
import type { ServiceDirectory } from './service-directory.ts';
import {
  checkServiceReplies,
  createServiceBodySchema,
  createServiceReplies,
  deleteServiceReplies,
  getServiceReplies,
  listServicesReplies,
  replaceServiceBodySchema,
  replaceServiceReplies,
  serviceParamsSchema,
} from './services.schemas.ts';

export interface ServicesRoutesOptions {
  directory: ServiceDirectory;
}

/**
 * The project a request acts in, once the caller is known to hold the permission there: the route
 * checked it somewhere in the organization; a member of other projects only is refused here.
 */
async function scopeFor(request: FastifyRequest, permission: Permission): Promise<TenantScope> {
  const scope = await request.scope();
  request.authorize(permission, { projectId: scope.projectId });
  return scope;
}

/** Sends a body serialized already; typed apart from the route, whose reply expects the schema's object. */
function sendJson(reply: FastifyReply, body: Buffer): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(body);
}

export async function servicesRoutes(app: FastifyInstance, { directory }: ServicesRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['services'];
  const read = { access: { permission: 'services:read' } } as const;
  const write = { access: { permission: 'services:write' } } as const;
  const readScope = (request: FastifyRequest) => scopeFor(request, 'services:read');
  const writeScope = (request: FastifyRequest) => scopeFor(request, 'services:write');

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
    { config: read, schema: { tags, summary: 'Every external service: from the config file and from the API', response: listServicesReplies } },
    // Sent already serialized (ServiceDirectory.listJson) rather than through the route's zod
    // serializer, which took seconds over 10,000 services. The records are built from parsed
    // definitions, so they have the schema's shape; services-api.test.ts checks the answer against it.
    // Gzipped when the client accepts it (from blocks deflated once per change, not per request).
    async (request, reply) => {
      const gzip = acceptsGzip(request.headers['accept-encoding']);
      const body = await directory.listJson(await readScope(request), gzip ? 'gzip' : 'identity');
      reply.header('vary', 'accept-encoding');
      if (gzip) reply.header('content-encoding', 'gzip');
      return sendJson(reply, body);
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
