/**
 * Watchkeeper's own time series: a sampler per instance writes every METRICS_SAMPLE_INTERVAL_SECONDS;
 * exclusive jobs (one instance of a cluster) record user activity from the audit log, fold raw
 * points into 1-minute and 1-hour aggregates, make partitions ahead and drop expired ones.
 */
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { SYSTEM_PROJECT_ID } from '../../../../contracts/tenancy.ts';
import type { Config } from '../../../infra/config/index.ts';
import type { ComponentState } from '../../health/index.ts';
import { SERVICES_GROUP } from '../../services/index.ts';
import { createResourceSampler } from './resource-sampler.ts';
import { RESOLUTIONS, type Resolution, type SampledPoint, type TimeSeriesRepository } from './time-series-repository.ts';
import { timeSeriesRoutes } from './time-series.routes.ts';

export { createTimeSeriesRepository, type SampledPoint, type TimeSeriesRepository } from './time-series-repository.ts';
export { resolutionFor, type RetentionDays } from './time-series.routes.ts';

export const METRICS_SAMPLE_JOB = 'metrics.sample';
export const METRICS_ACTIVITY_JOB = 'metrics.activity';
export const METRICS_ROLLUP_JOB = 'metrics.rollup';
export const METRICS_RETENTION_JOB = 'metrics.retention';
const DAY_MS = 86_400_000;

export async function registerTimeSeries(app: FastifyInstance, config: Config, repository: TimeSeriesRepository): Promise<void> {
  const { sampleIntervalSeconds, timeSeriesEnabled, rawRetentionDays, minuteRetentionDays, hourRetentionDays } = config.metrics;
  const retentionDays = { raw: rawRetentionDays, '1m': minuteRetentionDays, '1h': hourRetentionDays };
  await app.register(timeSeriesRoutes, { repository, retentionDays });
  if (!timeSeriesEnabled) return;

  const logger = app.log.child({ component: 'time-series' });
  const sampler = createResourceSampler({
    projectId: SYSTEM_PROJECT_ID,
    instance: `${hostname()}:${config.server.port}`,
    registry: app.metrics,
    dataDir: config.storage.dataDir,
    poolStats: () => app.database.poolStats(),
    cacheStats: () => app.cache.stats(),
    healthStates: healthStatesFor(app, config.metrics.healthSeries),
  });
  const stopCounting = app.events.on('audit.recorded', (record) => {
    const count = typeof record.details?.count === 'number' && record.details.count > 0 ? record.details.count : 1;
    sampler.countAction(record.action, record.outcome, count);
  });

  async function makePartitions(now = Date.now()): Promise<void> {
    for (const resolution of RESOLUTIONS) await repository.ensurePartitions(resolution, new Date(now - DAY_MS), new Date(now + 2 * DAY_MS));
  }

  app.addHook('onReady', async () => {
    // Before the first point: a point that lands in the default partition keeps its day's
    // partition from being made (until retention deletes it).
    await makePartitions().catch((error: unknown) =>
      logger.warn({ err: error }, 'the time-series partitions could not be made; the next retention run tries again'),
    );
    app.scheduler.every({ name: METRICS_SAMPLE_JOB, intervalMs: sampleIntervalSeconds * 1000 }, async () => {
      const points = await sampler.sample();
      await repository.write(points, new Date());
    });
    app.scheduler.every({ name: METRICS_ACTIVITY_JOB, intervalMs: 5 * 60_000, exclusive: true }, async () => {
      await repository.write(await userActivity(app), new Date());
    });
    app.scheduler.every({ name: METRICS_ROLLUP_JOB, intervalMs: 60_000, exclusive: true }, async () => {
      const now = Date.now();
      // Behind by two sampling rounds, so a round still being written is not folded half.
      await repository.rollUp('1m', new Date(now - 2 * sampleIntervalSeconds * 1000));
      await repository.rollUp('1h', new Date(now - 2 * sampleIntervalSeconds * 1000 - 60_000));
    });
    app.scheduler.every({ name: METRICS_RETENTION_JOB, intervalMs: 3_600_000, exclusive: true }, async () => {
      await makePartitions();
      for (const resolution of RESOLUTIONS) await repository.dropBefore(resolution as Resolution, new Date(Date.now() - retentionDays[resolution] * DAY_MS));
    });
  });
  app.addHook('onClose', async () => {
    stopCounting();
    sampler.stop();
  });
}

/** Users active over 1, 7 and 30 days (anyone the audit log saw act), and live sessions: cluster-wide. */
async function userActivity(app: FastifyInstance): Promise<SampledPoint[]> {
  const { rows } = await sql<{ d1: number; d7: number; d30: number; sessions: number }>`
    SELECT
      count(DISTINCT actor_id) FILTER (WHERE occurred_at > now() - interval '1 day')::int AS d1,
      count(DISTINCT actor_id) FILTER (WHERE occurred_at > now() - interval '7 days')::int AS d7,
      count(DISTINCT actor_id)::int AS d30,
      (SELECT count(*)::int FROM sessions WHERE expires_at > now()) AS sessions
    FROM audit_log WHERE actor_type = 'user' AND occurred_at > now() - interval '30 days'`.execute(app.database.db);
  const row = rows[0] ?? { d1: 0, d7: 0, d30: 0, sessions: 0 };
  const point = (name: string, value: number, labels: Record<string, string> = {}): SampledPoint => ({ projectId: SYSTEM_PROJECT_ID, name, labels, value });
  return [
    point('watchkeeper_active_users', row.d1, { window: '1d' }),
    point('watchkeeper_active_users', row.d7, { window: '7d' }),
    point('watchkeeper_active_users', row.d30, { window: '30d' }),
    point('watchkeeper_sessions', row.sessions),
  ];
}

/** The components whose checks the sampler records (METRICS_HEALTH_SERIES). */
function healthStatesFor(app: FastifyInstance, which: Config['metrics']['healthSeries']): () => ComponentState[] {
  if (which === 'none') return () => [];
  if (which === 'all') return () => app.health.listAll();
  // Watchkeeper's own components: those of its scope that are not external services.
  return () => app.health.list().filter((state) => !state.groups.includes(SERVICES_GROUP));
}
