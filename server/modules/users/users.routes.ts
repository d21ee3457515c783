/**
 * Administering accounts in the acting organization: list, create, change role or disable, and
 * reset a password. A user of another organization is answered 404, exactly like a missing one.
 * No one grants, or acts on someone holding, permissions they do not hold themselves — where the
 * membership applies (a project admin manages that project's members only), and, for what acts
 * on the whole account (disable, password reset), in every organization the account belongs to.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { createUserBodySchema, idParamsSchema, resetPasswordBodySchema, updateUserBodySchema, userSchema } from '../../../contracts/auth.ts';
import { problemSchema } from '../../../contracts/problem.ts';
import type { Database } from '../../infra/database/schema.ts';
import { AppError } from '../../platform/errors/index.ts';
import { createAccount } from '../../platform/auth/index.ts';
import { assertHoldsAllOn, assertMayManageAccount } from '../../platform/auth/delegation.ts';
import { hashPassword } from '../../platform/auth/password-hashing.ts';
import { assertPasswordAcceptable } from '../../platform/auth/password-policy.ts';
import { listMembers, findMember } from './member-queries.ts';

const tags = ['users'];
const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema, 409: problemSchema };

export async function usersRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { db } = app.database;
  const { users, sessions, memberships, throttle, passwordPolicy } = app.auth;

  async function memberOr404(request: FastifyRequest, id: string) {
    const member = await findMember(db, request.principal!.organizationId, id);
    if (!member) throw new AppError('WK_ERR_USER_NOT_FOUND', 'no such user');
    return member;
  }

  routes.get(
    '/api/users',
    {
      config: { access: { permission: 'users:read' } },
      schema: { tags, summary: 'Users of this organization', response: { 200: z.object({ items: z.array(userSchema) }), ...problems } },
    },
    async (request) => ({ items: await listMembers(db, request.principal!.organizationId) }),
  );

  routes.post(
    '/api/users',
    {
      config: { access: { permission: 'users:write' } },
      schema: { tags, summary: 'Create a user with a role in this organization', body: createUserBodySchema, response: { 201: userSchema, ...problems } },
    },
    async (request, reply) => {
      const organizationId = request.principal!.organizationId;
      const { email, password, role, projectId } = request.body;
      const roleRecord = await memberships.findRole(organizationId, role);
      if (!roleRecord)
        throw new AppError('WK_ERR_VALIDATION', `/body/role: no role named "${role}"`, {
          fieldErrors: [{ pointer: '/body/role', detail: `no role named "${role}"` }],
        });
      request.authorize('users:write', { projectId: projectId ?? null });
      assertHoldsAllOn(request, roleRecord.permissions, { organizationId, projectId: projectId ?? null }, `giving the role ${role}`);
      if (
        projectId &&
        !(await db.selectFrom('projects').select('id').where('id', '=', projectId).where('organization_id', '=', organizationId).executeTakeFirst())
      ) {
        throw new AppError('WK_ERR_PROJECT_NOT_FOUND', 'no such project in this organization');
      }
      const user = await createAccount(
        db,
        { email, password, role, organizationId, projectId: projectId ?? null },
        {
          policy: passwordPolicy,
          within: (created, trx) =>
            app.audit.recordRequest(
              request,
              {
                action: 'user.create',
                outcome: 'success',
                organizationId,
                target: { type: 'user', id: created.id, label: created.email },
                details: { role, projectId: projectId ?? null },
              },
              { trx },
            ),
        },
      );
      return reply.code(201).send((await findMember(db, organizationId, user.id))!);
    },
  );

  routes.patch(
    '/api/users/:id',
    {
      config: { access: { permission: 'users:write' } },
      schema: {
        tags,
        summary: "Change a user's role here, or disable or enable the account",
        params: idParamsSchema,
        body: updateUserBodySchema,
        response: { 200: userSchema, ...problems },
      },
    },
    async (request) => {
      const organizationId = request.principal!.organizationId;
      const member = await memberOr404(request, request.params.id);
      const where = { organizationId, projectId: member.projectId };
      const current = await memberships.findRole(organizationId, member.role);
      request.authorize('users:write', { projectId: member.projectId });
      assertHoldsAllOn(request, current?.permissions ?? [], where, 'changing this user');
      if (member.id === (request.principal?.kind === 'user' ? request.principal.userId : undefined)) {
        throw new AppError('WK_ERR_SELF_MODIFICATION', 'you cannot change your own role or disable yourself; ask another administrator');
      }
      const { role, disabled } = request.body;
      // Every check before any write: a refused half of the request must not leave the other done.
      const changeRole = role !== undefined && role !== member.role;
      const changeDisabled = disabled !== undefined && disabled !== member.disabled;
      const next = changeRole ? await memberships.findRole(organizationId, role) : undefined;
      if (changeRole) {
        if (!next)
          throw new AppError('WK_ERR_VALIDATION', `/body/role: no role named "${role}"`, {
            fieldErrors: [{ pointer: '/body/role', detail: `no role named "${role}"` }],
          });
        assertHoldsAllOn(request, next.permissions, where, `giving the role ${role}`);
      }
      if (changeDisabled) assertMayManageAccount(request, await memberships.grantsOf(member.id), disabled ? 'disabling this account' : 'enabling this account');

      // Both changes and their audit records commit together (with the sessions' end when disabling), or none does.
      const change = async (trx: Transaction<Database>) => {
        if (changeRole && next) {
          await memberships.setMembership({ userId: member.id, organizationId, projectId: member.projectId, roleId: next.id }, trx);
          await app.audit.recordRequest(
            request,
            {
              action: 'user.role.change',
              outcome: 'success',
              organizationId,
              target: { type: 'user', id: member.id, label: member.email },
              details: { from: member.role, to: role },
            },
            { trx },
          );
          // Privileges changed: the user's sessions continue under fresh ids, decided with the change.
          await sessions.requireRotation(member.id, trx);
        }
        if (changeDisabled) {
          await users.setDisabled(member.id, disabled, trx);
          await app.audit.recordRequest(
            request,
            {
              action: disabled ? 'user.disable' : 'user.enable',
              outcome: 'success',
              organizationId,
              target: { type: 'user', id: member.id, label: member.email },
            },
            { trx },
          );
        }
      };
      if (changeDisabled && disabled) await sessions.revokeAllForUser(member.id, { within: change });
      else if (changeRole || changeDisabled) await db.transaction().execute(change);
      return (await findMember(db, organizationId, member.id))!;
    },
  );

  routes.post(
    '/api/users/:id/password',
    {
      config: { access: { permission: 'users:write' } },
      schema: {
        tags,
        summary: "Reset a user's password; their sessions end",
        params: idParamsSchema,
        body: resetPasswordBodySchema,
        response: { 204: z.null(), ...problems },
      },
    },
    async (request, reply) => {
      const organizationId = request.principal!.organizationId;
      const member = await memberOr404(request, request.params.id);
      assertMayManageAccount(request, await memberships.grantsOf(member.id), "resetting this user's password");
      assertPasswordAcceptable(request.body.password, passwordPolicy, { email: member.email });
      const passwordHash = await hashPassword(request.body.password);
      // The new password, the end of every session and the audit record commit together.
      await sessions.revokeAllForUser(member.id, {
        within: async (trx) => {
          await users.setPassword(member.id, passwordHash, trx);
          await app.audit.recordRequest(
            request,
            { action: 'user.password.reset', outcome: 'success', organizationId, target: { type: 'user', id: member.id, label: member.email } },
            { trx },
          );
        },
      });
      await throttle.clearAccount(member.email);
      return reply.code(204).send(null);
    },
  );
}
