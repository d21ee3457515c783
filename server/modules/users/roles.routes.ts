/**
 * Roles usable in the acting organization: the built-in ones (owner ⊇ admin ⊇ editor ⊇ viewer,
 * defined in contracts/permissions.ts) and the organization's custom roles, each a named set of
 * permissions. Nobody makes, edits or deletes a role holding permissions they do not hold
 * themselves. Built-in roles are read-only; a custom role still held cannot be deleted.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createRoleBodySchema, idParamsSchema, roleSchema } from '../../../contracts/auth.ts';
import { updateRoleBodySchema } from '../../../contracts/tenancy-api.ts';
import { isBuiltInRole } from '../../../contracts/permissions.ts';
import { problemSchema } from '../../../contracts/problem.ts';
import { AppError } from '../../platform/errors/index.ts';
import { can } from '../../platform/auth/index.ts';
import type { RoleRecord } from '../../platform/auth/membership-repository.ts';
import type { Permission } from '../../../contracts/permissions.ts';

const tags = ['users'];
const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema };

const present = (role: RoleRecord) => ({ id: role.id, name: role.name, description: role.description, builtIn: role.builtIn, permissions: role.permissions });

export async function rolesRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { memberships, sessions } = app.auth;
  const { db } = app.database;

  /** A custom role of this organization: another organization's is 404, a built-in one 409. */
  async function customRoleOr404(organizationId: string, id: string): Promise<RoleRecord> {
    const role = await memberships.findRoleById(organizationId, id);
    if (!role) throw new AppError('WK_ERR_ROLE_NOT_FOUND', 'no such role');
    if (role.builtIn) throw new AppError('WK_ERR_ROLE_BUILT_IN', `"${role.name}" is a built-in role and cannot be changed`);
    return role;
  }

  function assertHoldsAll(request: FastifyRequest, held: readonly Permission[], what: string): void {
    const beyond = held.filter((p) => !can(request.ability, p));
    if (beyond.length > 0) throw new AppError('WK_ERR_PRIVILEGE_ESCALATION', `${what} needs permissions you do not hold: ${beyond.join(', ')}`);
  }

  routes.get(
    '/api/roles',
    {
      config: { access: { permission: 'roles:read' } },
      schema: {
        tags,
        summary: 'Roles usable in this organization, with their permissions',
        response: { 200: z.object({ items: z.array(roleSchema) }), ...problems },
      },
    },
    async (request) => ({ items: (await memberships.listRoles(request.principal!.organizationId)).map(present) }),
  );

  routes.post(
    '/api/roles',
    {
      config: { access: { permission: 'roles:write' } },
      schema: { tags, summary: 'Create a custom role: a named set of permissions', body: createRoleBodySchema, response: { 201: roleSchema, ...problems } },
    },
    async (request, reply) => {
      const organizationId = request.principal!.organizationId;
      const { name, description, permissions } = request.body;
      if (isBuiltInRole(name))
        throw new AppError('WK_ERR_ROLE_NAME_TAKEN', `"${name}" is a built-in role`, {
          fieldErrors: [{ pointer: '/body/name', detail: 'is the name of a built-in role' }],
        });
      const beyond = permissions.filter((p) => !can(request.ability, p));
      if (beyond.length > 0) throw new AppError('WK_ERR_PRIVILEGE_ESCALATION', `a role cannot hold permissions you do not hold: ${beyond.join(', ')}`);
      const role = await db.transaction().execute(async (trx) => {
        const created = await memberships.createCustomRole({ organizationId, name, description, permissions: [...new Set(permissions)] }, trx);
        if (!created)
          throw new AppError('WK_ERR_ROLE_NAME_TAKEN', `a role named "${name}" already exists`, {
            fieldErrors: [{ pointer: '/body/name', detail: 'is taken' }],
          });
        await app.audit.recordRequest(
          request,
          {
            action: 'role.create',
            outcome: 'success',
            organizationId,
            target: { type: 'role', id: created.id, label: created.name },
            details: { permissions: created.permissions },
          },
          { trx },
        );
        return created;
      });
      return reply.code(201).send(present(role));
    },
  );

  routes.patch(
    '/api/roles/:id',
    {
      config: { access: { permission: 'roles:write' } },
      schema: {
        tags,
        summary: "Change a custom role's description or permissions; its holders' sessions rotate",
        params: idParamsSchema,
        body: updateRoleBodySchema,
        response: { 200: roleSchema, ...problems },
      },
    },
    async (request) => {
      const organizationId = request.principal!.organizationId;
      const before = await customRoleOr404(organizationId, request.params.id);
      const { description, permissions } = request.body;
      // Both: nobody edits a role holding more than they do, nor makes it hold more.
      assertHoldsAll(request, before.permissions, `changing the role ${before.name}`);
      const next = permissions === undefined ? undefined : [...new Set(permissions)];
      if (next) assertHoldsAll(request, next, `giving the role ${before.name} these permissions`);
      await db.transaction().execute(async (trx) => {
        await memberships.updateCustomRole(before.id, { description, permissions: next }, trx);
        const { userIds } = await memberships.roleHolders(before.id, trx);
        await app.audit.recordRequest(
          request,
          {
            action: 'role.update',
            outcome: 'success',
            organizationId,
            target: { type: 'role', id: before.id, label: before.name },
            details: {
              ...(description !== undefined ? { description } : {}),
              ...(next ? { from: before.permissions, to: next } : {}),
              holders: userIds.length,
            },
          },
          { trx },
        );
        // The holders' privileges changed: their sessions continue under fresh ids, committed with the change.
        if (next) for (const userId of userIds) await sessions.requireRotation(userId, trx);
      });
      return present((await memberships.findRoleById(organizationId, before.id))!);
    },
  );

  routes.delete(
    '/api/roles/:id',
    {
      config: { access: { permission: 'roles:write' } },
      schema: {
        tags,
        summary: 'Delete a custom role that no membership holds',
        params: idParamsSchema,
        response: { 204: z.null().describe('Deleted'), ...problems },
      },
    },
    async (request, reply) => {
      const organizationId = request.principal!.organizationId;
      const role = await customRoleOr404(organizationId, request.params.id);
      assertHoldsAll(request, role.permissions, `deleting the role ${role.name}`);
      const held = (count: number) =>
        new AppError('WK_ERR_ROLE_IN_USE', `the role ${role.name} is held by ${count} membership${count === 1 ? '' : 's'}; give them another role first`);
      try {
        await db.transaction().execute(async (trx) => {
          const { memberships: count } = await memberships.roleHolders(role.id, trx);
          if (count > 0) throw held(count);
          if (!(await memberships.deleteCustomRole(role.id, trx))) throw new AppError('WK_ERR_ROLE_NOT_FOUND', 'no such role');
          await app.audit.recordRequest(
            request,
            {
              action: 'role.delete',
              outcome: 'success',
              organizationId,
              target: { type: 'role', id: role.id, label: role.name },
              details: { permissions: role.permissions },
            },
            { trx },
          );
        });
      } catch (error) {
        // A membership given the role meanwhile: the foreign key refuses the delete.
        if (error instanceof Error && (error as { code?: unknown }).code === '23503') throw held((await memberships.roleHolders(role.id)).memberships);
        throw error;
      }
      return reply.code(204).send(null);
    },
  );
}
