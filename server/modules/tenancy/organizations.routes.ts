/**
 * /api/organizations: the tenants. Instance owners (organizations:write in the system organization)
 * create them; an organization's own owners rename or delete it. The system organization is never
 * deleted.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SYSTEM_ORGANIZATION_ID } from '../../../contracts/tenancy.ts';
import { createOrganizationBodySchema, updateOrganizationBodySchema } from '../../../contracts/tenancy-api.ts';
import { canOn, recordAudit } from '../../platform/auth/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { createOrganizationsRepository } from './organizations-repository.ts';
import { createProjectsRepository } from './projects-repository.ts';
import { abilityIn, callerUserId } from '../../platform/auth/delegation.ts';
import {
  createOrganizationReplies,
  deleteOrganizationReplies,
  idParamsSchema,
  listOrganizationsReplies,
  updateOrganizationReplies,
} from './tenancy.schemas.ts';

const tags = ['tenancy'];

export async function organizationsRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.database;
  const { memberships, sessions } = app.auth;
  const organizations = createOrganizationsRepository(db);
  const projects = createProjectsRepository(db);

  /**
   * organizations:write in the organization named by the URL, which need not be the one the
   * request acts in. Not a member there: 404, exactly like an organization that does not exist.
   */
  async function assertMayChange(request: FastifyRequest, organizationId: string): Promise<void> {
    const ability = abilityIn(request, organizationId);
    if (!ability) throw new AppError('WK_ERR_ORGANIZATION_NOT_FOUND', 'no such organization');
    if (!canOn(ability, 'organizations:write', { organizationId, projectId: null })) {
      await recordAudit(app, request, {
        action: 'access.denied',
        outcome: 'denied',
        organizationId,
        details: { permission: 'organizations:write', method: request.method, route: request.routeOptions.url },
      });
      throw new AppError('WK_ERR_PERMISSION_DENIED', 'this needs the permission organizations:write in that organization, held organization-wide');
    }
  }

  /** The user who becomes owner of a new organization: the caller, or the user who made the calling API key. */
  async function ownerOf(request: FastifyRequest): Promise<string> {
    const principal = request.principal!;
    if (principal.kind === 'user') return principal.userId;
    const key = await db.selectFrom('api_keys').select('created_by').where('id', '=', principal.apiKeyId).executeTakeFirst();
    // Unreachable: authentication refuses a key whose creator is gone.
    if (!key?.created_by) throw new AppError('WK_ERR_PERMISSION_DENIED', 'this API key has no creator to own the organization');
    return key.created_by;
  }

  routes.get(
    '/api/organizations',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'The organizations you are a member of, with your roles there', response: listOrganizationsReplies },
    },
    async (request) => {
      const principal = request.principal!;
      if (principal.kind === 'api-key') {
        const own = await organizations.findMany([principal.organizationId]);
        return { items: own.map((o) => ({ ...o, role: null, projectRoles: [] })) };
      }
      const grants = request.grants ?? [];
      const items = await organizations.findMany([...new Set(grants.map((g) => g.organizationId))]);
      return {
        items: items.map((o) => {
          const here = grants.filter((g) => g.organizationId === o.id);
          return {
            ...o,
            role: here.find((g) => g.projectId === null)?.roleName ?? null,
            projectRoles: here.flatMap((g) => (g.projectId === null ? [] : [{ projectId: g.projectId, role: g.roleName }])),
          };
        }),
      };
    },
  );

  routes.post(
    '/api/organizations',
    {
      // Tenants are created by the instance's owners, not by any organization's.
      config: { access: { permission: 'organizations:write', organization: 'system' } },
      schema: {
        tags,
        summary: 'Create an organization with a first project; you become its owner',
        body: createOrganizationBodySchema,
        response: createOrganizationReplies,
      },
    },
    async (request, reply) => {
      const ownerId = await ownerOf(request);
      const created = await db.transaction().execute(async (trx) => {
        const organization = await organizations.create(request.body, trx);
        const project = await projects.create(organization.id, { slug: 'default', name: 'Default' }, trx);
        const owner = await memberships.findRole(organization.id, 'owner', trx);
        await memberships.setMembership({ userId: ownerId, organizationId: organization.id, projectId: null, roleId: owner!.id }, trx);
        await app.audit.recordRequest(
          request,
          {
            action: 'organization.create',
            outcome: 'success',
            organizationId: organization.id,
            target: { type: 'organization', id: organization.id, label: organization.slug },
            details: { name: organization.name, ownerId, defaultProjectId: project.id },
          },
          { trx },
        );
        return { ...organization, defaultProjectId: project.id };
      });
      // The new owner's sessions are not rotated: they already hold organizations:write in the system
      // organization, which is what let them create this one.
      return reply.code(201).header('location', `/api/organizations/${created.id}`).send(created);
    },
  );

  routes.patch(
    '/api/organizations/:id',
    {
      // 'authenticated', checked in the handler: a declared permission is checked in the organization
      // the request acts in, but this changes the organization named by the URL.
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Rename an organization or change its slug (organizations:write there)',
        params: idParamsSchema,
        body: updateOrganizationBodySchema,
        response: updateOrganizationReplies,
      },
    },
    async (request) => {
      const { id } = request.params;
      await assertMayChange(request, id);
      return db.transaction().execute(async (trx) => {
        const before = await organizations.find(id, trx);
        const updated = await organizations.update(id, request.body, trx);
        if (!before || !updated) throw new AppError('WK_ERR_ORGANIZATION_NOT_FOUND', 'no such organization');
        await app.audit.recordRequest(
          request,
          {
            action: 'organization.update',
            outcome: 'success',
            organizationId: id,
            target: { type: 'organization', id, label: updated.slug },
            details: { from: { slug: before.slug, name: before.name }, to: { slug: updated.slug, name: updated.name } },
          },
          { trx },
        );
        return updated;
      });
    },
  );

  routes.delete(
    '/api/organizations/:id',
    {
      // 'authenticated', checked in the handler: see PATCH above.
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Delete an organization and everything in it (organizations:write there; never the system organization)',
        params: idParamsSchema,
        response: deleteOrganizationReplies,
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await assertMayChange(request, id);
      if (id === SYSTEM_ORGANIZATION_ID) throw new AppError('WK_ERR_SYSTEM_ORGANIZATION_PROTECTED', 'the system organization cannot be deleted');
      // Its members lost privileges: their sessions continue under fresh ids, committed with the
      // deletion. The caller's own goes on as it is, so the answer's cookie stays usable.
      const caller = callerUserId(request);
      await db.transaction().execute(async (trx) => {
        const organization = await organizations.find(id, trx);
        if (!organization || !(await organizations.lock(id, trx))) throw new AppError('WK_ERR_ORGANIZATION_NOT_FOUND', 'no such organization');
        const userIds = await organizations.memberUserIds(id, trx);
        await organizations.delete(id, trx);
        await app.audit.recordRequest(
          request,
          {
            action: 'organization.delete',
            outcome: 'success',
            organizationId: id,
            target: { type: 'organization', id, label: organization.slug },
            details: { name: organization.name, members: userIds.length },
          },
          { trx },
        );
        for (const userId of userIds) if (userId !== caller) await sessions.requireRotation(userId, trx);
      });
      app.events.emit('tenancy.removed', { organizationId: id });
      return reply.code(204).send(null);
    },
  );
}
