/**
 * The `metrics-endpoint` feature: GET /metrics for Prometheus, and the collectors that fill
 * `app.metrics` (the registry of platform/metrics, which also counts HTTP requests by route
 * template and rate-limit refusals) — Node and process defaults, database pool, cache, health
 * components, audit records — and the metrics a team's services push (push/, the Pushgateway
 * API) and declare (declared/). Everything here is read when scraped, but the pool's checkout and
 * query timings, observed as they happen; the timers are the time-series store's jobs
 * (timeseries/) and the CloudWatch Embedded Metric Format output (METRICS_CLOUDWATCH_EMF).
 */
import { hostname } from 'node:os';
import fp from 'fastify-plugin';
import { collectDefaultMetrics } from 'prom-client';
import type { Config } from '../../infra/config/index.ts';
import { registerAuditMetrics } from './collectors/audit-metrics.ts';
import { registerCacheMetrics } from './collectors/cache-metrics.ts';
import { registerDatabaseMetrics } from './collectors/database-metrics.ts';
import { registerHealthMetrics } from './collectors/health-metrics.ts';
import { createCloudWatchEmf } from './cloudwatch-emf.ts';
import { createDeclaredMetricsRepository, declaredMetricsRoutes } from './declared/index.ts';
import { metricsRoutes } from './metrics.routes.ts';
import { createPushedMetricsRepository, pushedFamilies, pushRoutes } from './push/index.ts';
import { createTimeSeriesRepository, registerTimeSeries } from './timeseries/index.ts';

export { negotiateFormat, exposeToString, formatFamily } from './exposition.ts';

export const metricsEndpointPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const registry = app.metrics;
    // The standard names (process_cpu_seconds_total, nodejs_eventloop_lag_seconds, …), unprefixed:
    // they are what Node dashboards and alert rules query, and `job`/`instance` say whose they are.
    collectDefaultMetrics({ register: registry });
    const stopDatabaseMetrics = registerDatabaseMetrics({ registry, database: app.database });
    app.addHook('onClose', async () => stopDatabaseMetrics());
    registerCacheMetrics({ registry, cache: app.cache });
    const stopAuditMetrics = registerAuditMetrics({ registry, events: app.events });
    app.addHook('onClose', async () => stopAuditMetrics());
    // The monitor is the health feature's app.health, registered before this plugin.
    registerHealthMetrics({ registry, monitor: app.health });
    const pushed = createPushedMetricsRepository(app.database.db);
    await app.register(metricsRoutes, { networks: config.server.metricsAllowNetworks, additions: async () => pushedFamilies(await pushed.all()) });
    const timeSeries = createTimeSeriesRepository(app.database.db);
    const declared = createDeclaredMetricsRepository(app.database.db, config.declaredMetrics);
    await app.register(declaredMetricsRoutes, { repository: declared });
    await app.register(pushRoutes, {
      repository: pushed,
      declared,
      requireDeclared: config.metrics.pushRequireDeclared,
      ...(config.metrics.timeSeriesEnabled ? { timeSeries } : {}),
      registry,
      limits: { maxSeriesPerMetric: config.metrics.pushMaxSeriesPerMetric, maxSeriesPerProject: config.metrics.pushMaxSeriesPerProject },
      bodyLimit: config.metrics.pushMaxBodyBytes,
    });
    await registerTimeSeries(app, config, timeSeries);
    if (config.metrics.cloudwatchEmf) {
      const emf = createCloudWatchEmf({
        registry,
        output: process.stdout,
        namespace: config.metrics.cloudwatchEmfNamespace,
        dimensions: { Service: config.server.serviceId },
        properties: { Instance: hostname() },
        onError: (family, error) => app.log.warn({ err: error, family }, 'cloudwatch emf: a metric family could not be read'),
      });
      app.addHook('onReady', async () => {
        emf.start();
        // The scheduler's timers are unref()ed and stopped when the app closes.
        app.scheduler.every({ name: 'cloudwatch-emf', intervalMs: config.metrics.cloudwatchEmfIntervalSeconds * 1000 }, async () => {
          await emf.emit();
        });
      });
      // preClose, while the registry, pool and cache still answer: the last partial interval is
      // written too, or a task replaced by a deployment would lose up to an interval of counts.
      app.addHook('preClose', async () => {
        await emf.emit().catch((error: unknown) => app.log.warn({ err: error }, 'cloudwatch emf: the last line could not be written'));
        emf.stop();
      });
    }
  },
  { name: 'metrics-endpoint', dependencies: ['metrics', 'database', 'cache', 'events', 'health', 'auth', 'scheduler'] },
);
