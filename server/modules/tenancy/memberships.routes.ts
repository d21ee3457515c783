/**
 * /api/memberships: who holds which role in the organization the request acts in, organization-wide
 * or in one of its projects. Memberships are given to existing accounts (a colleague already on
 * this instance); new accounts are made with POST /api/users. Nobody gives or takes away a role
 * holding permissions they do not hold where it applies, changes their own membership, or removes
 * an organization's last owner.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { setMembershipBodySchema, type MembershipRecord } from '../../../contracts/tenancy-api.ts';
import { AppError } from '../../platform/errors/index.ts';
import { createOrganizationsRepository } from './organizations-repository.ts';
import { createTenantMembershipsRepository, type StoredMembership } from './memberships-repository.ts';
import { isForeignKeyViolation } from './pg-errors.ts';
import { createProjectsRepository } from './projects-repository.ts';
import { assertHoldsAllOn, callerUserId } from '../../platform/auth/delegation.ts';
import { deleteMembershipReplies, idParamsSchema, listMembershipsReplies, setMembershipReplies } from './tenancy.schemas.ts';

const tags = ['tenancy'];

const present = (m: StoredMembership): MembershipRecord => ({
  id: m.id,
  userId: m.userId,
  email: m.email,
  projectId: m.projectId,
  role: m.role,
  createdAt: m.createdAt,
});
const isOwnerOfOrganization = (m: StoredMembership) => m.projectId === null && m.builtInRole && m.role === 'owner';
const lastOwner = () => new AppError('WK_ERR_LAST_OWNER', 'this is the last organization-wide owner of the organization; make someone else owner first');

export async function membershipsRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.database;
  const { users, memberships: roles, sessions } = app.auth;
  const organizations = createOrganizationsRepository(db);
  const projects = createProjectsRepository(db);
  const memberships = createTenantMembershipsRepository(db);

  /** The permissions of the role a membership holds. */
  async function permissionsOf(organizationId: string, membership: StoredMembership) {
    return (await roles.findRoleById(organizationId, membership.roleId))?.permissions ?? [];
  }

  function assertNotSelf(request: FastifyRequest, userId: string): void {
    if (userId === callerUserId(request))
      throw new AppError('WK_ERR_SELF_MODIFICATION', 'you cannot change or remove your own membership; ask another administrator');
  }

  routes.get(
    '/api/memberships',
    {
      config: { access: { permission: 'users:read' } },
      schema: { tags, summary: 'Memberships in this organization and its projects', response: listMembershipsReplies },
    },
    async (request) => ({ items: (await memberships.list(request.principal!.organizationId)).map(present) }),
  );

  routes.put(
    '/api/memberships',
    {
      config: { access: { permission: 'users:write' } },
      schema: {
        tags,
        summary: "Give an existing user a role in this organization or one of its projects (replacing the one held there); the user's sessions rotate",
        body: setMembershipBodySchema,
        response: setMembershipReplies,
      },
    },
    async (request, reply) => {
      const organizationId = request.principal!.organizationId;
      const { email, role: roleName, projectId } = request.body;
      const role = await roles.findRole(organizationId, roleName);
      if (!role)
        throw new AppError('WK_ERR_VALIDATION', `/body/role: no role named "${roleName}"`, {
          fieldErrors: [{ pointer: '/body/role', detail: `no role named "${roleName}"` }],
        });
      if (projectId !== null && !(await projects.find(organizationId, projectId)))
        throw new AppError('WK_ERR_PROJECT_NOT_FOUND', 'no such project in this organization');
      const scope = { organizationId, projectId };
      request.authorize('users:write', { projectId });
      assertHoldsAllOn(request, role.permissions, scope, `giving the role ${role.name}`);
      // Looked up only once the caller may give this role here: whether an account exists is told to no one else.
      const user = await users.findByEmail(email);
      if (!user) throw new AppError('WK_ERR_EMAIL_UNKNOWN', 'no account with this email address; create it with POST /api/users');
      assertNotSelf(request, user.id);

      const { membership, created } = await db
        .transaction()
        .execute(async (trx) => {
          // Serialises membership changes in the organization, so two demotions cannot both pass the last-owner check.
          await organizations.lock(organizationId, trx);
          const existing = await memberships.findFor(organizationId, user.id, projectId, trx);
          if (existing) {
            assertHoldsAllOn(request, await permissionsOf(organizationId, existing), scope, 'changing this membership');
            if (isOwnerOfOrganization(existing) && !(role.builtIn && role.name === 'owner') && (await memberships.countOwners(organizationId, trx)) <= 1)
              throw lastOwner();
          }
          const { id, created } = await memberships.upsert({ userId: user.id, organizationId, projectId, roleId: role.id }, trx);
          const membership = (await memberships.find(organizationId, id, trx))!;
          await app.audit.recordRequest(
            request,
            {
              action: 'membership.set',
              outcome: 'success',
              organizationId,
              target: { type: 'user', id: user.id, label: user.email },
              details: { membershipId: id, projectId, role: role.name, from: existing?.role ?? null },
            },
            { trx },
          );
          // Privileges changed: the user's sessions continue under fresh ids, committed with the change.
          if (existing?.role !== membership.role || created) await sessions.requireRotation(user.id, trx);
          return { membership, created };
        })
        .catch((error: unknown) => {
          // The role was deleted meanwhile.
          if (isForeignKeyViolation(error)) throw new AppError('WK_ERR_CONCURRENT_CHANGE', `the role ${role.name} no longer exists`);
          throw error;
        });
      return reply.code(created ? 201 : 200).send(present(membership));
    },
  );

  routes.delete(
    '/api/memberships/:id',
    {
      config: { access: { permission: 'users:write' } },
      schema: { tags, summary: "Remove a membership; the user's sessions rotate", params: idParamsSchema, response: deleteMembershipReplies },
    },
    async (request, reply) => {
      const organizationId = request.principal!.organizationId;
      const membership = await memberships.find(organizationId, request.params.id);
      if (!membership) throw new AppError('WK_ERR_MEMBERSHIP_NOT_FOUND', 'no such membership in this organization');
      const scope = { organizationId, projectId: membership.projectId };
      request.authorize('users:write', { projectId: membership.projectId });
      assertHoldsAllOn(request, await permissionsOf(organizationId, membership), scope, 'removing this membership');
      assertNotSelf(request, membership.userId);
      await db.transaction().execute(async (trx) => {
        await organizations.lock(organizationId, trx);
        // Read again under the lock: the role may have changed since the checks above.
        const current = await memberships.find(organizationId, membership.id, trx);
        if (!current) throw new AppError('WK_ERR_MEMBERSHIP_NOT_FOUND', 'no such membership in this organization');
        if (current.roleId !== membership.roleId) throw new AppError('WK_ERR_CONCURRENT_CHANGE', 'the membership changed meanwhile; try again');
        if (isOwnerOfOrganization(current) && (await memberships.countOwners(organizationId, trx)) <= 1) throw lastOwner();
        await memberships.delete(organizationId, current.id, trx);
        await app.audit.recordRequest(
          request,
          {
            action: 'membership.delete',
            outcome: 'success',
            organizationId,
            target: { type: 'user', id: membership.userId, label: membership.email },
            details: { membershipId: membership.id, projectId: membership.projectId, role: membership.role },
          },
          { trx },
        );
        await sessions.requireRotation(membership.userId, trx);
      });
      return reply.code(204).send(null);
    },
  );
}
