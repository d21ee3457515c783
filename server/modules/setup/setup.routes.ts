/**
 * First run: GET /setup shows a form and POST /setup creates the first administrator (owner of
 * the system organization) — only while no account exists. The form is protected by a
 * double-submit token (a SameSite=Strict cookie that must match a hidden field), since there is no
 * session yet to keep a token in.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { emailSchema, passwordSchema } from '../../../contracts/auth.ts';
import { problemSchema } from '../../../contracts/problem.ts';
import { SYSTEM_ORGANIZATION_ID } from '../../../contracts/tenancy.ts';
import { AppError } from '../../platform/errors/index.ts';
import { createAccount } from '../../platform/auth/index.ts';
import { randomToken, safeEqual } from '../../platform/auth/tokens.ts';
import { renderAlreadySetUp, renderSetupDone, renderSetupForm } from './setup-page.ts';

const SETUP_CSRF_COOKIE = 'wk_setup_csrf';
const tags = ['setup'];

const setupBodySchema = z.object({
  email: z.string().max(254),
  password: passwordSchema,
  confirm: passwordSchema.optional(),
  csrfToken: z.string().max(128).optional(),
});

const html = (reply: FastifyReply, status: number, body: string) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .send(body);

export async function setupRoutes(app: FastifyInstance) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const { users, passwordPolicy } = app.auth;
  const { db } = app.database;

  // HTML forms post application/x-www-form-urlencoded; only this plugin needs to read it.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  function issueFormToken(request: FastifyRequest, reply: FastifyReply): string {
    const token = randomToken();
    reply.setCookie(SETUP_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/setup', secure: request.protocol === 'https' });
    return token;
  }

  routes.get(
    '/setup',
    { config: { access: 'public' }, schema: { tags, summary: 'First-run page: create the first administrator', hide: true } },
    async (request, reply) => {
      if ((await users.count()) > 0) return html(reply, 404, renderAlreadySetUp());
      return html(reply, 200, renderSetupForm({ csrfToken: issueFormToken(request, reply), minLength: passwordPolicy.minLength }));
    },
  );

  routes.post(
    '/setup',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Create the first administrator (only while no account exists)',
        body: setupBodySchema,
        response: { 201: z.object({ id: z.string(), email: z.string() }), 400: problemSchema, 403: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const isForm = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ?? false;
      if (isForm) {
        // Only a browser posts the form, so only the form needs the double-submit check; a JSON
        // post cannot be sent cross-site without a CORS preflight.
        const cookieToken = request.cookies[SETUP_CSRF_COOKIE];
        if (!cookieToken || !request.body.csrfToken || !safeEqual(cookieToken, request.body.csrfToken))
          throw new AppError('WK_ERR_CSRF_TOKEN_INVALID', 'the form has expired; reload the page');
      }
      if ((await users.count()) > 0) {
        if (isForm) return html(reply, 409, renderAlreadySetUp());
        throw new AppError('WK_ERR_SETUP_DONE', 'Watchkeeper is already set up');
      }
      const { password, confirm } = request.body;
      const email = emailSchema.safeParse(request.body.email);
      const formErrors = [
        ...(email.success ? [] : ['the email address is not valid']),
        ...(isForm && confirm !== password ? ['the two passwords differ'] : []),
      ];
      let user;
      try {
        if (formErrors.length)
          throw new AppError('WK_ERR_VALIDATION', formErrors.join('; '), { fieldErrors: formErrors.map((detail) => ({ pointer: '/body', detail })) });
        user = await createAccount(
          db,
          { email: email.data!, password, role: 'owner', organizationId: SYSTEM_ORGANIZATION_ID, onlyIfFirst: true },
          {
            policy: passwordPolicy,
            within: (created, trx) =>
              app.audit.recordRequest(
                request,
                {
                  action: 'user.create',
                  outcome: 'success',
                  actor: { type: 'anonymous' },
                  organizationId: SYSTEM_ORGANIZATION_ID,
                  target: { type: 'user', id: created.id, label: created.email },
                  details: { role: 'owner', via: 'setup' },
                },
                { trx },
              ),
          },
        );
      } catch (error) {
        if (!isForm || !(error instanceof AppError)) throw error;
        if (error.code === 'WK_ERR_SETUP_DONE') return html(reply, 409, renderAlreadySetUp());
        const errors = error.fieldErrors?.map((e) => e.detail) ?? [error.message];
        return html(
          reply,
          400,
          renderSetupForm({ csrfToken: issueFormToken(request, reply), email: request.body.email, errors, minLength: passwordPolicy.minLength }),
        );
      }
      if (isForm) {
        reply.clearCookie(SETUP_CSRF_COOKIE, { path: '/setup' });
        return html(reply, 201, renderSetupDone({ email: user.email }));
      }
      return reply.code(201).send({ id: user.id, email: user.email });
    },
  );
}
