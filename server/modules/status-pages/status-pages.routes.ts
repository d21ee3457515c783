/**
 * The admin API of the status page of the organization the caller acts in: /api/status-page (its
 * settings) and /api/incidents (incidents and scheduled maintenance, and their updates). The page
 * belongs to the whole organization, so writing needs status-pages:write organization-wide.
 * Every change commits with its audit record.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import { incidentStatuses, maintenanceStatuses, type AvailableComponent, type Incident, type StatusPageAdmin } from '../../../contracts/status-pages.ts';
import type { Database } from '../../infra/database/schema.ts';
import { AppError, type FieldError } from '../../platform/errors/index.ts';
import type { StatusPagesRepository } from './status-pages-repository.ts';
import {
  createdIncidentReplies,
  createIncidentBodySchema,
  deleteIncidentReplies,
  idParamsSchema,
  incidentReplies,
  incidentUpdateBodySchema,
  listIncidentsReplies,
  patchIncidentBodySchema,
  statusPageReplies,
  statusPageSettingsSchema,
} from './status-pages.schemas.ts';

const tags = ['status-pages'];
const DAY_MS = 86_400_000;

export async function statusPagesRoutes(app: FastifyInstance, { repository }: { repository: StatusPagesRepository }) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.database;
  const read = { access: { permission: 'status-pages:read' } } as const;
  const write = { access: { permission: 'status-pages:write' } } as const;

  /** The organization the request acts in, once the caller holds the permission organization-wide. */
  function organizationOf(request: FastifyRequest, permission: 'status-pages:read' | 'status-pages:write'): string {
    request.authorize(permission);
    return request.principal!.organizationId;
  }

  /** Every component monitored in the organization, by project. */
  async function available(organizationId: string): Promise<AvailableComponent[]> {
    const projects = await repository.projectNames(organizationId);
    return app.health
      .list(undefined, { organizationId })
      .filter((state) => projects.has(state.scope.projectId))
      .map((state) => ({
        key: `${state.scope.projectId}/${state.id}`,
        name: state.id,
        project: projects.get(state.scope.projectId)!,
        status: state.status ?? null,
      }))
      .sort((a, b) => a.project.localeCompare(b.project) || a.name.localeCompare(b.name));
  }

  async function adminView(organizationId: string): Promise<StatusPageAdmin> {
    const [slug, settings, components] = await Promise.all([
      repository.organizationSlug(organizationId),
      repository.settings(organizationId),
      available(organizationId),
    ]);
    return { slug, settings: settings ?? { enabled: false, title: `${slug} status`, components: [] }, available: components };
  }

  /** 400 naming each component key that is not one of `allowed`. */
  function assertKnown(keys: readonly string[], allowed: ReadonlySet<string>, why: string): void {
    const errors: FieldError[] = keys.flatMap((key, index) => (allowed.has(key) ? [] : [{ pointer: `/body/components/${index}`, detail: `"${key}" ${why}` }]));
    if (errors.length > 0) throw new AppError('WK_ERR_VALIDATION', `${errors[0]!.pointer}: ${errors[0]!.detail}`, { fieldErrors: errors });
  }

  /** An incident may name the components its page shows. */
  async function assertOnPage(organizationId: string, keys: readonly string[]): Promise<void> {
    const settings = await repository.settings(organizationId);
    assertKnown(keys, new Set(settings?.components ?? []), 'is not on the status page');
  }

  async function incidentOr404(organizationId: string, id: string): Promise<Incident> {
    const incident = await repository.findIncident(organizationId, id);
    if (!incident) throw new AppError('WK_ERR_INCIDENT_NOT_FOUND', 'no such incident or maintenance in this organization');
    return incident;
  }

  const audit = (
    request: FastifyRequest,
    action: string,
    target: { type: string; id?: string; label: string },
    details: Record<string, unknown>,
    trx: Transaction<Database>,
  ) => app.audit.recordRequest(request, { action, outcome: 'success', target, details }, { trx });

  routes.get(
    '/api/status-page',
    { config: read, schema: { tags, summary: "The organization's status page: its settings and the components it may show", response: statusPageReplies } },
    async (request) => adminView(organizationOf(request, 'status-pages:read')),
  );

  routes.put(
    '/api/status-page',
    {
      config: write,
      schema: {
        tags,
        summary: 'Enable or disable the public status page, set its title and the components it shows',
        body: statusPageSettingsSchema,
        response: statusPageReplies,
      },
    },
    async (request) => {
      const organizationId = organizationOf(request, 'status-pages:write');
      // Components shown already stay allowed when they are no longer monitored, so a page can be saved.
      const current = (await repository.settings(organizationId))?.components ?? [];
      assertKnown(
        request.body.components,
        new Set([...current, ...(await available(organizationId)).map((c) => c.key)]),
        'is not a component of this organization',
      );
      await db.transaction().execute(async (trx) => {
        await repository.saveSettings(organizationId, request.body, trx);
        await audit(request, 'status-page.update', { type: 'status-page', id: organizationId, label: request.body.title }, { ...request.body }, trx);
      });
      return adminView(organizationId);
    },
  );

  routes.get(
    '/api/incidents',
    {
      config: read,
      schema: { tags, summary: 'Open incidents and maintenance, and those closed in the last 90 days, newest first', response: listIncidentsReplies },
    },
    async (request) => {
      const organizationId = organizationOf(request, 'status-pages:read');
      return { items: await repository.listIncidents(organizationId, { closedSince: new Date(Date.now() - 90 * DAY_MS) }) };
    },
  );

  routes.post(
    '/api/incidents',
    {
      config: write,
      schema: {
        tags,
        summary: 'Open an incident or schedule maintenance, with its first update',
        body: createIncidentBodySchema,
        response: createdIncidentReplies,
      },
    },
    async (request, reply) => {
      const organizationId = organizationOf(request, 'status-pages:write');
      await assertOnPage(organizationId, request.body.components);
      const incident = await db.transaction().execute(async (trx) => {
        const created = await repository.createIncident(organizationId, request.body, trx);
        await audit(request, `${created.kind}.create`, { type: created.kind, id: created.id, label: created.title }, { ...request.body }, trx);
        return created;
      });
      return reply.code(201).header('location', `/api/incidents/${incident.id}`).send(incident);
    },
  );

  routes.get(
    '/api/incidents/:id',
    { config: read, schema: { tags, summary: 'One incident or maintenance with its updates', params: idParamsSchema, response: incidentReplies } },
    async (request) => incidentOr404(organizationOf(request, 'status-pages:read'), request.params.id),
  );

  routes.patch(
    '/api/incidents/:id',
    {
      config: write,
      schema: {
        tags,
        summary: "Correct an incident's title, impact, components or window",
        params: idParamsSchema,
        body: patchIncidentBodySchema,
        response: incidentReplies,
      },
    },
    async (request) => {
      const organizationId = organizationOf(request, 'status-pages:write');
      const before = await incidentOr404(organizationId, request.params.id);
      const { body } = request;
      if (before.kind === 'incident' && (body.startsAt !== undefined || body.endsAt !== undefined)) {
        const field = body.startsAt !== undefined ? 'startsAt' : 'endsAt';
        throw new AppError('WK_ERR_VALIDATION', `/body/${field}: an incident has no window`, {
          fieldErrors: [{ pointer: `/body/${field}`, detail: 'an incident has no window' }],
        });
      }
      if (before.kind === 'maintenance') {
        const starts = Date.parse(body.startsAt ?? before.startsAt!);
        const ends = Date.parse(body.endsAt ?? before.endsAt!);
        if (!(ends > starts))
          throw new AppError('WK_ERR_VALIDATION', '/body/endsAt: must be after the start', {
            fieldErrors: [{ pointer: '/body/endsAt', detail: 'must be after the start' }],
          });
      }
      if (body.components) await assertOnPage(organizationId, body.components);
      return db.transaction().execute(async (trx) => {
        await repository.patchIncident(organizationId, before.id, body, trx);
        await audit(request, `${before.kind}.update`, { type: before.kind, id: before.id, label: body.title ?? before.title }, { ...body }, trx);
        return (await repository.findIncident(organizationId, before.id, trx))!;
      });
    },
  );

  routes.post(
    '/api/incidents/:id/updates',
    {
      config: write,
      schema: {
        tags,
        summary: 'Post an update: what is known now, and the status it is in',
        params: idParamsSchema,
        body: incidentUpdateBodySchema,
        response: createdIncidentReplies,
      },
    },
    async (request, reply) => {
      const organizationId = organizationOf(request, 'status-pages:write');
      const before = await incidentOr404(organizationId, request.params.id);
      const allowed: readonly string[] = before.kind === 'incident' ? incidentStatuses : maintenanceStatuses;
      if (!allowed.includes(request.body.status)) {
        const detail = `must be one of ${allowed.join(', ')} for ${before.kind === 'incident' ? 'an incident' : 'maintenance'}`;
        throw new AppError('WK_ERR_VALIDATION', `/body/status: ${detail}`, { fieldErrors: [{ pointer: '/body/status', detail }] });
      }
      const incident = await db.transaction().execute(async (trx) => {
        await repository.addUpdate(organizationId, before.id, request.body, trx);
        await audit(
          request,
          `${before.kind}.status-update`,
          { type: before.kind, id: before.id, label: before.title },
          { from: before.status, ...request.body },
          trx,
        );
        return (await repository.findIncident(organizationId, before.id, trx))!;
      });
      return reply.code(201).send(incident);
    },
  );

  routes.delete(
    '/api/incidents/:id',
    {
      config: write,
      schema: { tags, summary: 'Delete an incident or maintenance written by mistake', params: idParamsSchema, response: deleteIncidentReplies },
    },
    async (request, reply) => {
      const organizationId = organizationOf(request, 'status-pages:write');
      const before = await incidentOr404(organizationId, request.params.id);
      await db.transaction().execute(async (trx) => {
        await repository.deleteIncident(organizationId, before.id, trx);
        await audit(request, `${before.kind}.delete`, { type: before.kind, id: before.id, label: before.title }, { title: before.title }, trx);
      });
      return reply.code(204).send(null);
    },
  );
}
