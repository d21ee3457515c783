/**
 * Roles usable in the acting organization: the built-in ones (owner ⊇ admin ⊇ editor ⊇ viewer,
 * defined in contracts/permissions.ts) and the organization's custom roles, each a named set of
 * permissions. Nobody makes a role holding permissions they do not hold themselves.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createRoleBodySchema, roleSchema } from '../../../contracts/auth.ts';
import { isBuiltInRole } from '../../../contracts/permissions.ts';
import { problemSchema } from '../../../contracts/problem.ts';
import { AppError } from '../../platform/errors/index.ts';
import { can, recordAudit } from '../../platform/auth/index.ts';
import type { RoleRecord } from '../../platform/auth/membership-repository.ts';

const tags = ['users'];
const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 409: problemSchema };

const present = (role: RoleRecord) => ({ id: role.id, name: role.name, description: role.description, builtIn: role.builtIn, permissions: role.permissions });

export async function rolesRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { memberships } = app.auth;

  routes.get(
    '/api/roles',
    { config: { access: { permission: 'roles:read' } }, schema: { tags, summary: 'Roles usable in this organization, with their permissions', response: { 200: z.object({ items: z.array(roleSchema) }), ...problems } } },
    async (request) => ({ items: (await memberships.listRoles(request.principal!.organizationId)).map(present) }),
  );

  routes.post(
    '/api/roles',
    { config: { access: { permission: 'roles:write' } }, schema: { tags, summary: 'Create a custom role: a named set of permissions', body: createRoleBodySchema, response: { 201: roleSchema, ...problems } } },
    async (request, reply) => {
      const organizationId = request.principal!.organizationId;
      const { name, description, permissions } = request.body;
      if (isBuiltInRole(name)) throw new AppError('WK_ERR_CONFLICT', `"${name}" is a built-in role`);
      const beyond = permissions.filter((p) => !can(request.ability, p));
      if (beyond.length > 0) throw new AppError('WK_ERR_FORBIDDEN', `a role cannot hold permissions you do not hold: ${beyond.join(', ')}`);
      const role = await memberships.createCustomRole({ organizationId, name, description, permissions: [...new Set(permissions)] });
      if (!role) throw new AppError('WK_ERR_CONFLICT', `a role named "${name}" already exists`);
      await recordAudit(app, request, { action: 'role.create', outcome: 'success', organizationId, target: { type: 'role', id: role.id, label: role.name }, details: { permissions: role.permissions } });
      return reply.code(201).send(present(role));
    },
  );
}
