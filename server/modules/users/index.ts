/** The `users` feature: administering the accounts of an organization and its custom roles. */
import fp from 'fastify-plugin';
import { rolesRoutes } from './roles.routes.ts';
import { usersRoutes } from './users.routes.ts';

export const usersPlugin = fp(
  async (app) => {
    await app.register(usersRoutes);
    await app.register(rolesRoutes);
  },
  { name: 'users', dependencies: ['auth'] },
);
