/**
 * /api/services: external services managed through the API. Services from the config file are
 * listed too (source `config`) but are read-only here: PUT and DELETE on them answer 409.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SYSTEM_SCOPE, type TenantScope } from '../../../contracts/tenancy.ts';
import type { ServiceDirectory } from './service-directory.ts';
import {
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
  /** The tenant a request acts in; Watchkeeper's own until authentication supplies the caller's. */
  scopeOf?: (request: FastifyRequest) => TenantScope;
}

export async function servicesRoutes(app: FastifyInstance, { directory, scopeOf = () => SYSTEM_SCOPE }: ServicesRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['services'];
  // External services are checked by this instance and stored in the system scope until probes are
  // namespaced per tenant, so only the system organization may manage them: a member of another
  // organization must not write into Watchkeeper's own health.
  const read = { access: { permission: 'services:read', organization: 'system' } } as const;
  const write = { access: { permission: 'services:write', organization: 'system' } } as const;

  // A configuration change: recorded once it has taken effect (the directory commits on its own).
  const audit = (request: FastifyRequest, action: string, name: string, details?: Record<string, unknown>) =>
    app.audit.recordRequest(request, { action, outcome: 'success', target: { type: 'service', label: name }, ...(details ? { details } : {}) });

  routes.get('/api/services', { config: read, schema: { tags, summary: 'Every external service: from the config file and from the API', response: listServicesReplies } }, async (request) => ({
    items: await directory.list(scopeOf(request)),
  }));

  routes.post('/api/services', { config: write, schema: { tags, summary: 'Add an external service to check', body: createServiceBodySchema, response: createServiceReplies } }, async (request, reply) => {
    const created = await directory.create(scopeOf(request), request.body);
    await audit(request, 'service.create', created.name, { definition: request.body });
    return reply.code(201).header('location', `/api/services/${created.name}`).send(created);
  });

  routes.get('/api/services/:name', { config: read, schema: { tags, summary: 'One external service', params: serviceParamsSchema, response: getServiceReplies } }, async (request) =>
    directory.get(scopeOf(request), request.params.name),
  );

  routes.put(
    '/api/services/:name',
    { config: write, schema: { tags, summary: "Replace a service's definition (config-file services are read-only)", params: serviceParamsSchema, body: replaceServiceBodySchema, response: replaceServiceReplies } },
    async (request) => {
      const replaced = await directory.replace(scopeOf(request), request.params.name, request.body);
      await audit(request, 'service.update', request.params.name, { definition: request.body });
      return replaced;
    },
  );

  routes.delete(
    '/api/services/:name',
    { config: write, schema: { tags, summary: 'Stop checking a service and forget it (config-file services are read-only)', params: serviceParamsSchema, response: deleteServiceReplies } },
    async (request, reply) => {
      await directory.remove(scopeOf(request), request.params.name);
      await audit(request, 'service.delete', request.params.name);
      return reply.code(204).send(null);
    },
  );
}
