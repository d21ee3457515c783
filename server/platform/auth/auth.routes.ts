/**
 * Sign-in and sessions: POST /api/auth/login, /logout, /logout-everywhere, /password and
 * GET /api/auth/session. A failed sign-in always answers the same 401, whether the account is
 * unknown, disabled or the password wrong. Sign-in takes JSON only (no form parser is registered
 * here), which a cross-site form cannot send without a CORS preflight: that is its CSRF defence.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changePasswordBodySchema, loginBodySchema, loginResponseSchema, sessionResponseSchema } from '../../../contracts/auth.ts';
import { permissions } from '../../../contracts/permissions.ts';
import { problemSchema } from '../../../contracts/problem.ts';
import { AppError } from '../errors/index.ts';
import { can } from './ability.ts';
import { recordAudit } from './audit.ts';
import type { AuthServices } from './index.ts';
import { hashPassword, verifyPassword } from './password-hashing.ts';
import { assertPasswordAcceptable } from './password-policy.ts';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from './session-cookie.ts';
import { normalizeEmail } from './user-repository.ts';

const INVALID_CREDENTIALS = 'Invalid email or password.';
const tags = ['auth'];

function requireUser(request: FastifyRequest) {
  const principal = request.principal;
  if (principal?.kind !== 'user' || !request.session) throw new AppError('WK_ERR_SESSION_REQUIRED', 'this needs a signed-in user, not an API key');
  return { principal, session: request.session };
}

export async function authRoutes(app: FastifyInstance, { auth }: { auth: AuthServices }) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { users, sessions, throttle } = auth;

  async function startSession(request: FastifyRequest, reply: FastifyReply, userId: string) {
    const created = await sessions.create({ userId, ip: request.ip, userAgent: request.headers['user-agent'] });
    setSessionCookie(request, reply, created.id, auth.cookie);
    return created.session;
  }

  routes.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sign in with email and password; sets the session cookie',
        body: loginBodySchema,
        response: { 200: loginResponseSchema, 401: problemSchema, 429: problemSchema },
      },
    },
    async (request, reply) => {
      const email = normalizeEmail(request.body.email);
      const keys = { email, ip: request.ip };
      const lockedUntil = await throttle.lockedUntil(keys);
      if (lockedUntil) {
        await recordAudit(app, request, {
          action: 'auth.login',
          outcome: 'denied',
          actor: { type: 'anonymous', label: email },
          details: { reason: 'locked-out', lockedUntil: lockedUntil.toISOString() },
        });
        reply.header('retry-after', String(Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 1000))));
        throw new AppError('WK_ERR_SIGN_IN_LOCKED', 'Too many failed sign-in attempts; try again later.');
      }
      const user = await users.findByEmail(email);
      const passwordOk = await verifyPassword(user?.passwordHash, request.body.password);
      if (!user || !passwordOk || user.disabledAt) {
        const outcome = await throttle.recordFailure(keys);
        await recordAudit(app, request, {
          action: 'auth.login',
          outcome: 'failure',
          actor: { type: 'anonymous', label: email },
          ...(user ? { target: { type: 'user', id: user.id, label: user.email } } : {}),
          details: { reason: !user ? 'unknown-account' : user.disabledAt ? 'disabled' : 'wrong-password' },
        });
        if (outcome.lockedUntil) {
          await recordAudit(app, request, {
            action: 'auth.lockout',
            outcome: 'success',
            actor: { type: 'system' },
            target: { type: 'login', label: email },
            details: { keys: outcome.lockedKeys, lockedUntil: outcome.lockedUntil.toISOString() },
          });
        }
        throw new AppError('WK_ERR_INVALID_CREDENTIALS', INVALID_CREDENTIALS);
      }
      await throttle.recordSuccess(keys);
      // Never keep a session id the browser arrived with (session fixation): end it, start anew.
      const presented = request.cookies[SESSION_COOKIE];
      if (presented) {
        const previous = await sessions.find(presented);
        if (previous) await sessions.revoke(previous.idHash);
      }
      const session = await startSession(request, reply, user.id);
      await recordAudit(app, request, { action: 'auth.login', outcome: 'success', actor: { type: 'user', id: user.id, label: user.email } });
      return { user: { id: user.id, email: user.email }, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() };
    },
  );

  routes.post(
    '/api/auth/logout',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'End this session', response: { 204: z.null(), 403: problemSchema } } },
    async (request, reply) => {
      const { session } = requireUser(request);
      // The session's end and its audit record commit together, or the caller hears it failed.
      await app.database.db.transaction().execute(async (trx) => {
        await sessions.revoke(session.idHash, trx);
        await app.audit.recordRequest(request, { action: 'auth.logout', outcome: 'success' }, { trx });
      });
      clearSessionCookie(request, reply, auth.cookie);
      return reply.code(204).send(null);
    },
  );

  routes.post(
    '/api/auth/logout-everywhere',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: "End every one of the user's sessions, this one included",
        response: { 200: z.object({ ended: z.number().int() }), 403: problemSchema },
      },
    },
    async (request, reply) => {
      const { principal } = requireUser(request);
      const ended = await sessions.revokeAllForUser(principal.userId, {
        within: (trx, ended) => app.audit.recordRequest(request, { action: 'auth.logout-everywhere', outcome: 'success', details: { ended } }, { trx }),
      });
      clearSessionCookie(request, reply, auth.cookie);
      return { ended };
    },
  );

  routes.get(
    '/api/auth/session',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'Who am I: the principal, its permissions here and the CSRF token', response: { 200: sessionResponseSchema } },
    },
    async (request) => {
      const principal = request.principal!;
      const held = permissions.filter((p) => can(request.ability, p));
      if (principal.kind === 'api-key') {
        return {
          principal: {
            kind: 'api-key' as const,
            apiKeyId: principal.apiKeyId,
            keyPrefix: principal.keyPrefix,
            organizationId: principal.organizationId,
            projectId: principal.projectId ?? null,
          },
          permissions: held,
        };
      }
      const memberships = (request.grants ?? []).map((g) => ({ organizationId: g.organizationId, projectId: g.projectId, role: g.roleName }));
      return {
        principal: { kind: 'user' as const, userId: principal.userId, email: principal.email, organizationId: principal.organizationId, memberships },
        permissions: held,
        csrfToken: request.session!.csrfToken,
        expiresAt: new Date(request.session!.expiresAt).toISOString(),
      };
    },
  );

  routes.post(
    '/api/auth/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Change your own password; your other sessions end',
        body: changePasswordBodySchema,
        response: { 200: z.object({ csrfToken: z.string() }), 400: problemSchema, 403: problemSchema },
      },
    },
    async (request, reply) => {
      const { principal, session } = requireUser(request);
      const user = await users.findById(principal.userId);
      if (!user || !(await verifyPassword(user.passwordHash, request.body.currentPassword))) {
        await recordAudit(app, request, {
          action: 'user.password.change',
          outcome: 'failure',
          target: { type: 'user', id: principal.userId, label: principal.email },
          details: { reason: 'wrong-current-password' },
        });
        throw new AppError('WK_ERR_WRONG_PASSWORD', 'the current password is not correct', {
          fieldErrors: [{ pointer: '/body/currentPassword', detail: 'is not your current password' }],
        });
      }
      assertPasswordAcceptable(request.body.newPassword, auth.passwordPolicy, { email: user.email, pointer: '/body/newPassword' });
      const passwordHash = await hashPassword(request.body.newPassword);
      // A changed password ends every other session (in the same transaction), and this one continues under a new id.
      await sessions.revokeAllForUser(user.id, {
        except: session.idHash,
        within: async (trx) => {
          await users.setPassword(user.id, passwordHash, trx);
          await app.audit.recordRequest(
            request,
            { action: 'user.password.change', outcome: 'success', target: { type: 'user', id: user.id, label: user.email } },
            { trx },
          );
        },
      });
      const rotated = await sessions.rotate(session, { ip: request.ip, userAgent: request.headers['user-agent'] });
      setSessionCookie(request, reply, rotated.id, auth.cookie);
      return { csrfToken: rotated.session.csrfToken };
    },
  );
}
