/**
 * API keys of the acting organization: list, create (the key is in the answer once, never again)
 * and revoke. A key's scopes must be permissions its creator holds where the key applies.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiKeySchema, createApiKeyBodySchema, createdApiKeySchema, idParamsSchema } from '../../../contracts/auth.ts';
import { problemSchema } from '../../../contracts/problem.ts';
import { AppError } from '../../platform/errors/index.ts';
import { canOn } from '../../platform/auth/index.ts';
import type { ApiKeyRecord } from '../../platform/auth/api-key-repository.ts';

const tags = ['api-keys'];
const problems = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

function present(key: ApiKeyRecord) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    projectId: key.projectId,
    scopes: key.scopes,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    createdAt: key.createdAt.toISOString(),
  };
}

function requireUser(request: FastifyRequest) {
  const principal = request.principal;
  // Keys are made by people: a key that could mint keys would outlive any revocation.
  if (principal?.kind !== 'user') throw new AppError('WK_ERR_SESSION_REQUIRED', 'API keys are created by signed-in users');
  return principal;
}

export async function apiKeysRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { apiKeys } = app.auth;
  const { db } = app.database;

  routes.get(
    '/api/api-keys',
    {
      config: { access: { permission: 'api-keys:read' } },
      schema: {
        tags,
        summary: 'API keys of this organization (never their secrets)',
        response: { 200: z.object({ items: z.array(apiKeySchema) }), ...problems },
      },
    },
    async (request) => ({ items: (await apiKeys.list(request.principal!.organizationId)).map(present) }),
  );

  routes.post(
    '/api/api-keys',
    {
      config: { access: { permission: 'api-keys:write' } },
      schema: {
        tags,
        summary: 'Create an API key; the answer holds the key, shown this once',
        body: createApiKeyBodySchema,
        response: { 201: createdApiKeySchema, ...problems },
      },
    },
    async (request, reply) => {
      const principal = requireUser(request);
      const organizationId = principal.organizationId;
      const { name, scopes, projectId, expiresInDays } = request.body;
      if (
        projectId &&
        !(await db.selectFrom('projects').select('id').where('id', '=', projectId).where('organization_id', '=', organizationId).executeTakeFirst())
      ) {
        throw new AppError('WK_ERR_PROJECT_NOT_FOUND', 'no such project in this organization');
      }
      const beyond = scopes.filter((scope) => !canOn(request.ability, scope, { organizationId, projectId: projectId ?? null }));
      if (beyond.length > 0) throw new AppError('WK_ERR_PRIVILEGE_ESCALATION', `a key cannot hold permissions you do not hold here: ${beyond.join(', ')}`);
      const expiresAt = expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null;
      const { key, secret } = await db.transaction().execute(async (trx) => {
        const created = await apiKeys.create({ organizationId, projectId: projectId ?? null, createdBy: principal.userId, name, scopes, expiresAt }, trx);
        const { key } = created;
        await app.audit.recordRequest(
          request,
          {
            action: 'api-key.create',
            outcome: 'success',
            organizationId,
            target: { type: 'api-key', id: key.id, label: key.prefix },
            details: { name, scopes: key.scopes, projectId: key.projectId, expiresAt: expiresAt?.toISOString() ?? null },
          },
          { trx },
        );
        return created;
      });
      return reply.code(201).send({ ...present(key), key: secret });
    },
  );

  routes.delete(
    '/api/api-keys/:id',
    {
      config: { access: { permission: 'api-keys:write' } },
      schema: { tags, summary: 'Revoke an API key; it stops working at once', params: idParamsSchema, response: { 204: z.null(), ...problems } },
    },
    async (request, reply) => {
      // A machine may revoke (a CI job retiring its own key); only people create keys.
      const organizationId = request.principal!.organizationId;
      const key = await apiKeys.findInOrganization(request.params.id, organizationId);
      if (!key) throw new AppError('WK_ERR_API_KEY_NOT_FOUND', 'no such API key');
      const secretHash = await db.transaction().execute(async (trx) => {
        const revoked = await apiKeys.revoke(key.id, trx);
        await app.audit.recordRequest(
          request,
          { action: 'api-key.revoke', outcome: 'success', organizationId, target: { type: 'api-key', id: key.id, label: key.prefix } },
          { trx },
        );
        return revoked;
      });
      // After the commit: forgotten earlier, a request meanwhile could remember the key's rights again.
      if (secretHash) {
        // Every other instance drops it when the commit's notification reaches it (rights-cache.ts).
        app.auth.rightsCache.keys.drop(secretHash);
        await app.auth.lastKnownRights.forgetKey(secretHash);
      }
      return reply.code(204).send(null);
    },
  );
}
