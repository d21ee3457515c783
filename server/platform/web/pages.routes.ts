/**
 * The dashboard's pages, rendered on the server (web/src/entry-server.tsx) so they are complete
 * HTML without JavaScript, and the forms that make them usable that way: sign-in and sign-out
 * post here as plain forms, and the answer is a redirect (post, redirect, get).
 *
 * Pages ask for `access: 'optional'`: the caller is identified when signed in, and a page that
 * needs a user sends the others to /sign-in rather than answering 401.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemSchema } from '../../../contracts/problem.ts';
import { AppError } from '../errors/index.ts';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from '../auth/session-cookie.ts';
import { safeEqual } from '../auth/tokens.ts';
import type { InProcessApi, Viewer, ViewerScope, WebBundle } from './web-bundle.ts';
import { PAGE_PATHS, type PagePath } from '../../../contracts/page-paths.ts';
import { assertSameOrigin } from './same-origin.ts';
import { isOffered, parseScope, resolveScope, SCOPE_COOKIE, scopeHeaders, scopeValueSchema, setScopeCookie } from './scope.ts';

/** Set by the header's theme switch (web/src/app/theme.ts). */
const THEME_COOKIE = 'wk_theme';

const signInFormSchema = z.object({
  email: z.string().max(254).default(''),
  password: z.string().max(1024).default(''),
  next: z.string().max(2048).default('/'),
});

/** Where a sign-in may send the browser on: a path of ours, never another site (`//evil`, `/\\evil`). */
export function localPath(next: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}
const signOutFormSchema = z.object({ csrfToken: z.string().max(128).default('') });
const scopeFormSchema = z.object({ scope: scopeValueSchema, next: z.string().max(2048).default('/') });

const FAILURE_BY_STATUS: Record<number, string> = { 400: 'invalid', 401: 'credentials', 429: 'locked', 503: 'unavailable' };

export async function pagesRoutes(app: FastifyInstance, { bundle }: { bundle: WebBundle }) {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  // HTML forms post application/x-www-form-urlencoded; only these routes read it.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16_384 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  function viewerOf(request: FastifyRequest): Viewer | null {
    const principal = request.principal;
    return principal?.kind === 'user' && request.session ? { email: principal.email, csrfToken: request.session.csrfToken } : null;
  }

  /** The API as the caller: the same routes, checks and audit as from outside, without the network. */
  function apiAs(request: FastifyRequest, { anonymous = false, scope }: { anonymous?: boolean; scope?: ViewerScope | undefined } = {}): InProcessApi {
    return async (path, { method = 'GET', body, answers = [], headers = {} } = {}) => {
      const response = await app.inject({
        method: method as 'GET',
        url: path,
        remoteAddress: request.ip,
        headers: {
          ...(request.headers.cookie && !anonymous ? { cookie: request.headers.cookie } : {}),
          ...(request.session && !anonymous && method !== 'GET' ? { 'x-csrf-token': request.session.csrfToken } : {}),
          'x-request-id': request.id,
          accept: 'application/json',
          ...(anonymous ? {} : scopeHeaders(scope)),
          ...headers,
        },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      if (response.statusCode < 300 || answers.includes(response.statusCode)) return (response.body === '' ? undefined : response.json()) as never;
      const problem = String(response.headers['content-type'] ?? '').includes('problem+json') ? (response.json() as { detail?: string }) : undefined;
      throw Object.assign(new Error(problem?.detail ?? `${method} ${path} answered ${response.statusCode}`), { status: response.statusCode });
    };
  }

  /**
   * The scope the user picked in the header (its cookie), checked against what they may pick now.
   * When that cannot be checked (the database is unavailable), the page is still rendered, acting in
   * the picked scope unchecked — the API checks every call's scope itself — with nothing to switch
   * to, and its panels say what they could not load.
   */
  async function scopeOf(request: FastifyRequest): Promise<ViewerScope | undefined> {
    const wanted = parseScope(request.cookies[SCOPE_COOKIE]);
    try {
      return await resolveScope(apiAs(request), request.grants ?? [], wanted);
    } catch (error) {
      if (((error as { status?: number }).status ?? 500) < 500) throw error;
      request.log.warn({ err: error }, 'the organizations and projects to switch between could not be loaded; the page is rendered without them');
      return wanted && { ...wanted, organizations: [] };
    }
  }

  async function renderPage(request: FastifyRequest, reply: FastifyReply, { access, cacheControl }: PagePath) {
    const anonymous = access === 'anonymous';
    const signedIn = anonymous ? null : viewerOf(request);
    const scope = signedIn ? await scopeOf(request) : undefined;
    const viewer = signedIn && { ...signedIn, scope };
    const result = await bundle.render({ url: `http://watchkeeper.local${request.url}`, api: apiAs(request, { anonymous, scope }), viewer });
    if (result.kind === 'redirect') return reply.redirect(result.location, 303);
    const cache = anonymous && cacheControl && result.status === 200 ? cacheControl : 'no-store';
    // The theme picked in the header, from its cookie; a page cached for everyone has none.
    const picked = request.cookies[THEME_COOKIE];
    const theme = !anonymous && (picked === 'light' || picked === 'dark') ? picked : undefined;
    return reply.code(result.status).type('text/html; charset=utf-8').header('cache-control', cache).send(bundle.document(result, { theme }));
  }

  const page = { config: { access: 'optional' as const }, schema: { hide: true } };

  for (const pagePath of PAGE_PATHS) {
    routes.get(pagePath.path, page, async (request, reply) => {
      if (pagePath.access === 'signed-in' && !viewerOf(request)) {
        // A new installation has nobody to sign in yet: its first page is the first-run form.
        if ((await app.auth.users.count()) === 0) return reply.redirect('/setup', 303);
        return reply.redirect(request.url === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(request.url)}`, 303);
      }
      if (pagePath.path === '/sign-in' && viewerOf(request)) return reply.redirect('/', 303);
      return renderPage(request, reply, pagePath);
    });
  }

  routes.post(
    '/sign-in',
    { config: { access: 'public' }, schema: { hide: true, body: signInFormSchema, response: { 403: problemSchema } } },
    async (request, reply) => {
      assertSameOrigin(request);
      const { email, password } = request.body;
      const next = localPath(request.body.next);
      const back = (failed: string) => `/sign-in?failed=${failed}${next === '/' ? '' : `&next=${encodeURIComponent(next)}`}`;
      if (!email || !password) return reply.redirect(back('invalid'), 303);
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: request.ip,
        headers: {
          'content-type': 'application/json',
          ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}),
          ...(request.headers['user-agent'] ? { 'user-agent': request.headers['user-agent'] } : {}),
          'x-request-id': request.id,
        },
        payload: { email, password },
      });
      const session = response.cookies.find((cookie) => cookie.name === SESSION_COOKIE);
      if (response.statusCode !== 200 || !session) {
        const retryAfter = response.headers['retry-after'];
        if (retryAfter) reply.header('retry-after', retryAfter);
        return reply.redirect(back(FAILURE_BY_STATUS[response.statusCode] ?? 'unavailable'), 303);
      }
      // Set again for this request: the inner one could not know whether the browser came over TLS.
      setSessionCookie(request, reply, session.value, app.auth.cookie);
      return reply.redirect(next, 303);
    },
  );

  routes.post(
    '/sign-out',
    { config: { access: 'optional' }, schema: { hide: true, body: signOutFormSchema, response: { 403: problemSchema } } },
    async (request, reply) => {
      assertSameOrigin(request);
      const session = request.session;
      if (!session) return reply.redirect('/sign-in', 303);
      // The session's own token, from the page's form: a cross-site form cannot know it.
      if (!safeEqual(request.body.csrfToken, session.csrfToken)) throw new AppError('WK_ERR_CSRF_TOKEN_INVALID', 'the sign-out form is stale: reload the page');
      const response = await apiAs(request)('/api/auth/logout', { method: 'POST', answers: [204] }).then(
        () => 204,
        (error: { status?: number; message?: string }) => {
          request.log.warn({ err: error }, 'signing out through the form failed');
          return error.status ?? 500;
        },
      );
      if (response !== 204) throw new AppError('WK_ERR_DEPENDENCY_UNAVAILABLE', 'signing out failed; try again');
      clearSessionCookie(request, reply, app.auth.cookie);
      return reply.redirect('/sign-in', 303);
    },
  );

  // The header's organization/project switcher posts here: a real form, so it works without JavaScript.
  routes.post(
    '/scope',
    { config: { access: 'optional' }, schema: { hide: true, body: scopeFormSchema, response: { 403: problemSchema, 404: problemSchema } } },
    async (request, reply) => {
      assertSameOrigin(request);
      const next = localPath(request.body.next);
      if (!viewerOf(request)) return reply.redirect(`/sign-in${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`, 303);
      const choice = parseScope(request.body.scope)!;
      const offered = await resolveScope(apiAs(request), request.grants ?? [], undefined);
      if (!offered?.organizations.some((o) => o.id === choice.organizationId)) {
        throw new AppError('WK_ERR_NOT_A_MEMBER', 'you are not a member of that organization');
      }
      if (!isOffered(offered, choice)) throw new AppError('WK_ERR_PROJECT_NOT_FOUND', 'no such project in that organization');
      setScopeCookie(request, reply, choice, app.auth.cookie);
      return reply.redirect(next, 303);
    },
  );
}
