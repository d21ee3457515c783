/**
 * The `metrics` plugin: one Prometheus registry per app, `app.metrics`, where features register
 * their counters and gauges. Nothing is exposed over HTTP yet (the metrics issue adds /metrics).
 */
import fp from 'fastify-plugin';
import { Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

export const metricsPlugin = fp(
  async (app) => {
    // Per app, never prom-client's global register: two apps in one process (tests) stay apart.
    const registry = new Registry();
    app.decorate('metrics', registry);
    app.addHook('onClose', async () => registry.clear());
  },
  { name: 'metrics' },
);
