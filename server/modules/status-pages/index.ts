/**
 * The `status-pages` feature: each organization's public status page (opt-in), the incidents and
 * scheduled maintenance its admins write on it, and the 90-day history of its components drawn
 * from the health history's daily totals.
 */
import fp from 'fastify-plugin';
import { createStatusPagesRepository } from './status-pages-repository.ts';
import { publicStatusRoutes } from './public-status.routes.ts';
import { statusPagesRoutes } from './status-pages.routes.ts';

export const statusPagesPlugin = fp(
  async (app) => {
    const repository = createStatusPagesRepository(app.database.db);
    await app.register(statusPagesRoutes, { repository });
    await app.register(publicStatusRoutes, { repository });
  },
  { name: 'status-pages', dependencies: ['database', 'health', 'audit', 'auth'] },
);
