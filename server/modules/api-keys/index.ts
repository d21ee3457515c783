/** The `api-keys` feature: keys for machines (log shippers, CI), scoped and revocable. */
import fp from 'fastify-plugin';
import { apiKeysRoutes } from './api-keys.routes.ts';

export const apiKeysPlugin = fp(
  async (app) => {
    await app.register(apiKeysRoutes);
  },
  { name: 'api-keys', dependencies: ['auth'] },
);
