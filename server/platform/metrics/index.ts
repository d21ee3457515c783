/**
 * The `metrics` plugin: one Prometheus registry per app, `app.metrics`, where features register
 * their counters and gauges (prom-client's, or ScrapeTimeMetric for values read when scraped),
 * and the HTTP request metrics, counted by one onResponse hook. Registered before the routes so
 * the hook covers every one of them (Fastify gives a route the hooks added before it). GET
 * /metrics, which serves the registry, is the metrics module's (server/modules/metrics).
 */
import fp from 'fastify-plugin';
import { Registry } from 'prom-client';
import { createHttpMetrics } from './http-metrics.ts';

export { ScrapeTimeMetric, sharedRead, type MetricFamily, type MetricType, type Sample } from './scrape-time-metric.ts';
export { HTTP_DURATION_METRIC, UNMATCHED_ROUTE } from './http-metrics.ts';

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
    const http = createHttpMetrics({ registry });
    app.addHook('onResponse', (request, reply, done) => {
      http.observe(request, reply);
      done();
    });
    app.addHook('onClose', async () => registry.clear());
  },
  { name: 'metrics' },
);
