/** The `setup` feature: the first-run page that creates the first administrator. */
import fp from 'fastify-plugin';
import { setupRoutes } from './setup.routes.ts';

export const setupPlugin = fp(
  async (app) => {
    // Encapsulated (not fp) so its form-body parser stays inside.
    await app.register(setupRoutes);
  },
  { name: 'setup', dependencies: ['auth'] },
);
