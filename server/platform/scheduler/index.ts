/** The `scheduler` plugin: recurring jobs, stopped (and awaited) when the app closes. */
import fp from 'fastify-plugin';
import { Scheduler } from './scheduler.ts';

export { Scheduler, type JobOptions } from './scheduler.ts';

declare module 'fastify' {
  interface FastifyInstance {
    scheduler: Scheduler;
  }
}

export const schedulerPlugin = fp(
  async (app) => {
    const scheduler = new Scheduler({ logger: app.log.child({ component: 'scheduler' }), pool: app.database.pool });
    app.decorate('scheduler', scheduler);
    app.addHook('onClose', () => scheduler.stop());
  },
  { name: 'scheduler', dependencies: ['database'] },
);
