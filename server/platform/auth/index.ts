/**
 * The `auth` plugin: authentication (session cookie or API key), CSRF protection for cookie
 * requests, and enforcement of every route's declared access:
 *   public → pass; no principal → 401; lacking the permission → 403 (audited as denied).
 * CSRF uses a synchronizer token: a random token kept in the server-side session, handed to the
 * client by GET /api/auth/session and the login answer, and required in the X-CSRF-Token header of
 * every state-changing cookie request. It needs no extra cookie and no secret, and API-key requests
 * (which browsers never send on their own) are exempt.
 */
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../infra/config/index.ts';
import { SYSTEM_ORGANIZATION_ID, SYSTEM_PROJECT_ID, type TenantScope } from '../../../contracts/tenancy.ts';
import { AppError } from '../errors/index.ts';
import { can, canOn, emptyAbility, type AppAbility } from './ability.ts';
import { createApiKeyRepository, type ApiKeyRepository } from './api-key-repository.ts';
import { recordDenial } from './audit.ts';
import { createAuthenticator } from './authenticate.ts';
import { authRoutes } from './auth.routes.ts';
import { createLastKnownRights, type LastKnownRights } from './last-known-rights.ts';
import { createLoginThrottle, type LoginThrottle } from './login-throttle.ts';
import { createRightsCache, RIGHTS_CHANNEL, type RightsCache } from './rights-cache.ts';
import { createMembershipRepository, type MembershipGrant, type MembershipRepository } from './membership-repository.ts';
import type { PasswordPolicy } from './password-policy.ts';
import { CSRF_HEADER, type SessionCookieOptions } from './session-cookie.ts';
import { createSessionStore, type SessionRecord, type SessionStore } from './session-store.ts';
import { safeEqual } from './tokens.ts';
import { createUserRepository, type UserRepository } from './user-repository.ts';
import type { Permission } from '../../../contracts/permissions.ts';
import './principal.ts';
import './route-access.ts';

export { routeAccessPlugin, declarePublic, isValidAccess, type RouteAccess, type RegisteredRoute } from './route-access.ts';
export type { Principal } from './principal.ts';
export { can, canOn, buildAbility, type AppAbility, type Grant } from './ability.ts';
export { createAccount } from './accounts.ts';
export { recordAudit, recordDenial } from './audit.ts';

export interface AuthServices {
  users: UserRepository;
  sessions: SessionStore;
  memberships: MembershipRepository;
  apiKeys: ApiKeyRepository;
  throttle: LoginThrottle;
  passwordPolicy: PasswordPolicy;
  cookie: SessionCookieOptions;
  /** Rights last seen per user and API key, for reads while the database is unreachable. */
  lastKnownRights: LastKnownRights;
  /** Rights of users and API keys in this instance's memory, for the steady state. */
  rightsCache: RightsCache;
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: AuthServices;
  }
  interface FastifyRequest {
    /** What the principal may do in the organization it acts in (empty when anonymous). */
    ability: AppAbility;
    /** The session behind a cookie-authenticated request. */
    session: SessionRecord | undefined;
    /** A user's memberships in every organization. */
    grants: MembershipGrant[] | undefined;
    /** The organization and project this request acts in; repositories take it. */
    scope(): Promise<TenantScope>;
    /** Throws 403 unless the principal holds the permission on a resource of that project. */
    authorize(permission: Permission, resource?: { projectId?: string | null }): void;
    /**
     * The scope, once the principal is known to hold the permission in its project: a route's
     * access checked it somewhere in the organization; a member of other projects only is refused here.
     */
    scopeFor(permission: Permission): Promise<TenantScope>;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PROJECT_HEADER = 'x-project';
const projectIdSchema = z.uuid();

export const authPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const { db } = app.database;
    const rightsCache = createRightsCache({ ttlMs: config.database.readCacheTtlMs });
    const auth: AuthServices = {
      users: createUserRepository(db),
      sessions: createSessionStore({
        db,
        cache: app.cache,
        idleTimeoutMs: config.auth.sessionIdleTimeoutMs,
        absoluteTimeoutMs: config.auth.sessionAbsoluteTimeoutMs,
        onUsersChanged: (userIds) => userIds.forEach(rightsCache.dropUser),
      }),
      memberships: createMembershipRepository(db),
      apiKeys: createApiKeyRepository(db),
      throttle: createLoginThrottle({
        db,
        accountMaxFailures: config.auth.loginMaxFailures,
        ipMaxFailures: config.auth.loginIpMaxFailures,
        lockoutBaseMs: config.auth.lockoutBaseMs,
        lockoutMaxMs: config.auth.lockoutMaxMs,
        failureWindowMs: config.auth.loginFailureWindowMs,
      }),
      passwordPolicy: { minLength: config.auth.passwordMinLength },
      cookie: { secure: config.auth.cookieSecure, absoluteTimeoutMs: config.auth.sessionAbsoluteTimeoutMs },
      lastKnownRights: createLastKnownRights({ cache: app.cache }),
      rightsCache,
    };
    if (config.database.readCacheTtlMs > 0) {
      const { notifications } = app.database;
      notifications.onState(rightsCache.hearing);
      notifications.subscribe(RIGHTS_CHANNEL, rightsCache.heard);
      rightsCache.hearing(notifications.listening);
    }
    app.decorate('auth', auth);
    await app.register(cookie);

    app.decorateRequest('principal', undefined);
    app.decorateRequest('ability', undefined as unknown as AppAbility);
    app.decorateRequest('session', undefined);
    app.decorateRequest('grants', undefined);
    app.decorateRequest('scope', async function scope(this: FastifyRequest): Promise<TenantScope> {
      const principal = this.principal;
      if (!principal) throw new AppError('WK_ERR_UNAUTHORIZED');
      const organizationId = principal.organizationId;
      if (principal.kind === 'api-key' && principal.projectId) return { organizationId, projectId: principal.projectId };
      const header = this.headers[PROJECT_HEADER];
      if (typeof header === 'string') {
        // Checked here so that the query can only fail for a reason of the database's own, which
        // the error handler answers 503: an outage must not read as "no such project".
        if (!projectIdSchema.safeParse(header).success) {
          throw new AppError('WK_ERR_VALIDATION', `/headers/${PROJECT_HEADER}: not a project id (a UUID)`, {
            fieldErrors: [{ pointer: `/headers/${PROJECT_HEADER}`, detail: 'is not a UUID' }],
          });
        }
        const project = await db
          .selectFrom('projects')
          .select('id')
          .where('organization_id', '=', organizationId)
          .where('id', '=', header.toLowerCase())
          .executeTakeFirst();
        if (!project) throw new AppError('WK_ERR_PROJECT_NOT_FOUND', 'no such project in this organization');
        return { organizationId, projectId: project.id };
      }
      // A member of single projects only acts, by default, in the first project they belong to.
      const here = (this.grants ?? []).filter((g) => g.organizationId === organizationId);
      const projectOnly = here.length > 0 && here.every((g) => g.projectId !== null);
      if (projectOnly) return { organizationId, projectId: here[0]!.projectId! };
      if (organizationId === SYSTEM_ORGANIZATION_ID) return { organizationId, projectId: SYSTEM_PROJECT_ID };
      const project = await db
        .selectFrom('projects')
        .select('id')
        .where('organization_id', '=', organizationId)
        .orderBy('created_at')
        .orderBy('id')
        .executeTakeFirst();
      if (!project) throw new AppError('WK_ERR_NO_PROJECT_YET', 'this organization has no project yet');
      return { organizationId, projectId: project.id };
    });
    app.decorateRequest('authorize', function authorize(this: FastifyRequest, permission: Permission, resource: { projectId?: string | null } = {}): void {
      const organizationId = this.principal?.organizationId;
      if (!organizationId || !canOn(this.ability, permission, { organizationId, projectId: resource.projectId ?? null })) {
        throw new AppError('WK_ERR_PERMISSION_DENIED', `this needs the permission ${permission} here`);
      }
    });

    app.decorateRequest('scopeFor', async function scopeFor(this: FastifyRequest, permission: Permission): Promise<TenantScope> {
      const scope = await this.scope();
      this.authorize(permission, { projectId: scope.projectId });
      return scope;
    });

    const authenticate = createAuthenticator({ app, ...auth });
    const nothing = emptyAbility();

    function holds(request: FastifyRequest, permission: Permission, organization: 'system' | undefined): boolean {
      const principal = request.principal!;
      if (organization !== 'system') return can(request.ability, permission);
      if (principal.kind === 'api-key') return principal.organizationId === SYSTEM_ORGANIZATION_ID && can(request.ability, permission);
      return (request.grants ?? []).some((g) => g.organizationId === SYSTEM_ORGANIZATION_ID && g.permissions.includes(permission));
    }

    async function authorize(
      request: FastifyRequest,
      reply: FastifyReply,
      access: Exclude<FastifyRequest['routeOptions']['config']['access'], 'public' | 'optional'>,
    ) {
      await authenticate(request, reply);
      if (access === undefined) {
        // Unreachable while routeAccessPlugin guards start-up; fail closed all the same.
        request.log.error({ url: request.routeOptions.url }, 'route without an access declaration');
        throw new AppError('WK_ERR_PERMISSION_DENIED', 'this route declares no access');
      }
      const principal = request.principal;
      if (!principal) throw new AppError('WK_ERR_UNAUTHORIZED', 'sign in or present an API key');
      if (request.session && !SAFE_METHODS.has(request.method)) {
        const token = request.headers[CSRF_HEADER];
        if (typeof token !== 'string' || !safeEqual(token, request.session.csrfToken)) {
          throw new AppError('WK_ERR_CSRF_TOKEN_INVALID', 'missing or wrong X-CSRF-Token header (get it from GET /api/auth/session)');
        }
      }
      if (access === 'authenticated') return;
      if (!holds(request, access.permission, access.organization)) {
        await recordDenial(app, request, {
          action: 'access.denied',
          outcome: 'denied',
          organizationId: principal.organizationId,
          details: { permission: access.permission, method: request.method, route: request.routeOptions.url },
        });
        throw new AppError('WK_ERR_PERMISSION_DENIED', `this needs the permission ${access.permission}`);
      }
    }

    app.addHook('onRequest', (request, reply, done) => {
      request.ability = nothing;
      // Public routes skip authentication entirely, without a promise: probes and login stay cheap.
      if (request.is404) return done();
      const access = request.routeOptions.config.access;
      if (access === 'public') return done();
      if (access === 'optional') return void authenticate(request, reply).then(() => done(), done);
      authorize(request, reply, access).then(() => done(), done);
    });

    await app.register(authRoutes, { auth });

    app.scheduler.every({ name: 'auth.sessions.cleanup', intervalMs: 15 * 60_000, exclusive: true }, async () => {
      await auth.sessions.deleteExpired();
    });
  },
  { name: 'auth', dependencies: ['errors', 'database', 'cache', 'scheduler', 'route-access', 'audit'] },
);
