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
  await app.register(pagesRoutes, { bundle: web });
  await app.register(clientErrorsRoutes);
}
