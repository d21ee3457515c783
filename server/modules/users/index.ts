/** The `users` feature: administering the accounts of an organization. */
import fp from 'fastify-plugin';
import { usersRoutes } from './users.routes.ts';

export const usersPlugin = fp(
  async (app) => {
    await app.register(usersRoutes);
  },
  { name: 'users', dependencies: ['auth'] },
);
