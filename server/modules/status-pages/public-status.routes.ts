/**
 * GET /api/public/status/:slug: what an organization's public status page says, for anyone and
 * without signing in. Cacheable for 30 s by browsers and proxies alike: the answer is the same
 * for every caller. A page not enabled does not exist (404), like an unknown slug.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../platform/errors/index.ts';
import { buildPublicStatus, componentNames, historyStart } from './public-status.ts';
import type { StatusPagesRepository } from './status-pages-repository.ts';
import { publicStatusReplies, slugParamsSchema } from './status-pages.schemas.ts';

export const PUBLIC_STATUS_CACHE_CONTROL = 'public, max-age=30';
const DAY_MS = 86_400_000;

export async function publicStatusRoutes(app: FastifyInstance, { repository }: { repository: StatusPagesRepository }) {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/public/status/:slug',
    {
      config: { access: 'public', cache: 'shared' },
      schema: {
        tags: ['status-pages'],
        summary: "An organization's public status page (when enabled)",
        params: slugParamsSchema,
        response: publicStatusReplies,
      },
    },
    async (request, reply) => {
      const organization = await repository.organizationBySlug(request.params.slug);
      const settings = organization && (await repository.settings(organization.id));
      if (!organization || !settings?.enabled) throw new AppError('WK_ERR_STATUS_PAGE_NOT_FOUND', 'no status page here');
      const now = new Date();
      const start = historyStart(now);
      const [projects, daily, incidents] = await Promise.all([
        repository.projectNames(organization.id),
        repository.dailyUptime(organization.id, settings.components, start),
        repository.listIncidents(organization.id, { closedSince: new Date(now.getTime() - 90 * DAY_MS) }),
      ]);
      const statusOf = (key: string) => {
        const slash = key.indexOf('/');
        return app.health.get(key.slice(slash + 1), { organizationId: organization.id, projectId: key.slice(0, slash) })?.status;
      };
      const body = buildPublicStatus({ settings, names: componentNames(settings.components, projects), statusOf, daily, start, incidents, now });
      return reply.header('cache-control', PUBLIC_STATUS_CACHE_CONTROL).send(body);
    },
  );
}
