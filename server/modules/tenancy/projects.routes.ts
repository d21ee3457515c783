/**
 * /api/projects: the projects of the organization the request acts in. A project of another
 * organization does not exist from here (404). Members of single projects see and change only
 * those; creating a project needs projects:write organization-wide.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import type { Database } from '../../infra/database/schema.ts';
import { SYSTEM_PROJECT_ID } from '../../../contracts/tenancy.ts';
import { createProjectBodySchema, updateProjectBodySchema, type Project } from '../../../contracts/tenancy-api.ts';
import { canOn } from '../../platform/auth/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { createOrganizationsRepository } from './organizations-repository.ts';
import { createProjectsRepository } from './projects-repository.ts';
import { callerUserId } from '../../platform/auth/delegation.ts';
import { createProjectReplies, deleteProjectReplies, idParamsSchema, listProjectsReplies, projectReplies } from './tenancy.schemas.ts';

const tags = ['tenancy'];

export async function projectsRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.database;
  const { sessions } = app.auth;
  const organizations = createOrganizationsRepository(db);
  const projects = createProjectsRepository(db);

  async function projectOr404(request: FastifyRequest, id: string): Promise<Project> {
    const project = await projects.find(request.principal!.organizationId, id);
    if (!project) throw new AppError('WK_ERR_PROJECT_NOT_FOUND', 'no such project in this organization');
    return project;
  }

  const audit = (request: FastifyRequest, action: string, project: Project, details: Record<string, unknown> | undefined, trx: Transaction<Database>) =>
    app.audit.recordRequest(
      request,
      { action, outcome: 'success', target: { type: 'project', id: project.id, label: project.slug }, ...(details ? { details } : {}) },
      { trx },
    );

  routes.get(
    '/api/projects',
    {
      config: { access: { permission: 'projects:read' } },
      schema: { tags, summary: 'The projects of this organization you can see', response: listProjectsReplies },
    },
    async (request) => {
      const organizationId = request.principal!.organizationId;
      // An organization-wide grant covers every project; a project membership (or key) its own only.
      const items = (await projects.list(organizationId)).filter((p) => canOn(request.ability, 'projects:read', { organizationId, projectId: p.id }));
      return { items };
    },
  );

  routes.post(
    '/api/projects',
    {
      config: { access: { permission: 'projects:write' } },
      schema: { tags, summary: 'Create a project (projects:write organization-wide)', body: createProjectBodySchema, response: createProjectReplies },
    },
    async (request, reply) => {
      // No project named: only an organization-wide grant passes, so a project's admin cannot make more projects.
      request.authorize('projects:write');
      const project = await db.transaction().execute(async (trx) => {
        const created = await projects.create(request.principal!.organizationId, request.body, trx);
        await audit(request, 'project.create', created, { name: created.name }, trx);
        return created;
      });
      return reply.code(201).header('location', `/api/projects/${project.id}`).send(project);
    },
  );

  routes.get(
    '/api/projects/:id',
    { config: { access: { permission: 'projects:read' } }, schema: { tags, summary: 'One project', params: idParamsSchema, response: projectReplies } },
    async (request) => {
      const project = await projectOr404(request, request.params.id);
      request.authorize('projects:read', { projectId: project.id });
      return project;
    },
  );

  routes.patch(
    '/api/projects/:id',
    {
      config: { access: { permission: 'projects:write' } },
      schema: { tags, summary: 'Rename a project or change its slug', params: idParamsSchema, body: updateProjectBodySchema, response: projectReplies },
    },
    async (request) => {
      const before = await projectOr404(request, request.params.id);
      request.authorize('projects:write', { projectId: before.id });
      const updated = await db.transaction().execute(async (trx) => {
        const changed = await projects.update(before.organizationId, before.id, request.body, trx);
        if (!changed) throw new AppError('WK_ERR_PROJECT_NOT_FOUND', 'no such project in this organization');
        await audit(
          request,
          'project.update',
          changed,
          { from: { slug: before.slug, name: before.name }, to: { slug: changed.slug, name: changed.name } },
          trx,
        );
        return changed;
      });
      return updated;
    },
  );

  routes.delete(
    '/api/projects/:id',
    {
      config: { access: { permission: 'projects:write' } },
      schema: {
        tags,
        summary: 'Delete a project with everything in it (not the system project, nor the last of an organization)',
        params: idParamsSchema,
        response: deleteProjectReplies,
      },
    },
    async (request, reply) => {
      const project = await projectOr404(request, request.params.id);
      request.authorize('projects:write', { projectId: project.id });
      if (project.id === SYSTEM_PROJECT_ID)
        throw new AppError('WK_ERR_SYSTEM_PROJECT_PROTECTED', "the system project holds Watchkeeper's own health and cannot be deleted");
      const { organizationId } = project;
      // Members of this project lose their membership there: fresh session ids, committed with the deletion.
      const caller = callerUserId(request);
      await db.transaction().execute(async (trx) => {
        // The organization's row lock makes "not the last project" hold against a concurrent delete.
        await organizations.lock(organizationId, trx);
        if ((await projects.count(organizationId, trx)) <= 1)
          throw new AppError('WK_ERR_LAST_PROJECT', 'an organization keeps at least one project; this is its last');
        const userIds = await projects.memberUserIds(organizationId, project.id, trx);
        if (!(await projects.delete(organizationId, project.id, trx))) throw new AppError('WK_ERR_PROJECT_NOT_FOUND', 'no such project in this organization');
        await app.audit.recordRequest(
          request,
          {
            action: 'project.delete',
            outcome: 'success',
            target: { type: 'project', id: project.id, label: project.slug },
            details: { name: project.name, members: userIds.length },
          },
          { trx },
        );
        for (const userId of userIds) if (userId !== caller) await sessions.requireRotation(userId, trx);
      });
      app.events.emit('tenancy.removed', { organizationId, projectId: project.id });
      return reply.code(204).send(null);
    },
  );
}
