/**
 * The `web` plugin: the dashboard. Serves the built client's files under /assets/ (hashed names,
 * cached for a year), renders the pages on the server (pages.routes.ts) and takes the error
 * reports of its error boundaries. The build comes from web/ (`npm run build`, see web-bundle.ts).
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { declarePublic } from '../auth/index.ts';
import { clientErrorsRoutes } from './client-errors.routes.ts';
import { pagesRoutes } from './pages.routes.ts';
import { loadWebBundle, type WebBundle } from './web-bundle.ts';

export { webDist } from './web-bundle.ts';

export async function webPlugin(app: FastifyInstance, { bundle }: { bundle?: WebBundle } = {}) {
  const web = bundle ?? (await loadWebBundle());
  await app.register(async (assets) => {
    assets.addHook('onRoute', declarePublic);
    await assets.register(fastifyStatic, {
      root: web.assetsDir,
      prefix: '/assets/',
      index: false,
      wildcard: true,
      immutable: true,
      maxAge: '365d',
      // Source maps are for developers; they are served too, so a stack in a report can be read.
    });
  });
  // The service worker (web/src/service-worker.ts): at the root, so its scope is every page; never
  // cached by HTTP, so a new build's worker replaces the old one at the next visit.
  app.get('/sw.js', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(web.serviceWorker),
  );
  await app.register(pagesRoutes, { bundle: web });
  await app.register(clientErrorsRoutes);
}
