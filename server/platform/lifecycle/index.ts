/** The `lifecycle` plugin: process state that health endpoints report (start time, draining). */
import fp from 'fastify-plugin';

export interface Lifecycle {
  /** True from the first shutdown signal: readiness fails at once while requests drain. */
  draining: boolean;
  startedAt: Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    lifecycle: Lifecycle;
  }
}

export const lifecyclePlugin = fp(
  async (app) => {
    app.decorate('lifecycle', { draining: false, startedAt: new Date() });
  },
  { name: 'lifecycle' },
);
