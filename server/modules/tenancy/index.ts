/** The `tenancy` feature: organizations, their projects, and the memberships that give users roles in them. */
import fp from 'fastify-plugin';
import { membershipsRoutes } from './memberships.routes.ts';
import { organizationsRoutes } from './organizations.routes.ts';
import { projectsRoutes } from './projects.routes.ts';

export const tenancyPlugin = fp(
  async (app) => {
    await app.register(organizationsRoutes);
    await app.register(projectsRoutes);
    await app.register(membershipsRoutes);
  },
  { name: 'tenancy', dependencies: ['auth', 'audit'] },
);
