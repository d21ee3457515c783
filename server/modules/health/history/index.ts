/**
 * Health history wired into the health plugin: the buffered recorder the monitor writes through,
 * GET /health/history, and the retention job. Exposed as `app.healthHistory`.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../infra/config/index.ts';
import type { HealthMonitor } from '../health-monitor.ts';
import { createBufferedRecorder, type BufferedRecorder } from './buffered-recorder.ts';
import { createHealthHistoryRepository, type HealthHistoryRepository } from './health-history-repository.ts';
import { historyRoutes } from './history.routes.ts';
import { runHealthRetention, scheduleHealthRetention, type RetentionOutcome } from './retention.ts';

export { HEALTH_RETENTION_JOB } from './retention.ts';
export type { HealthHistoryRepository, HistoryScope } from './health-history-repository.ts';

declare module 'fastify' {
  interface FastifyInstance {
    healthHistory: HealthHistory;
  }
}

export interface HealthHistory {
  repository: HealthHistoryRepository;
  /** Undefined when recording is switched off (HEALTH_HISTORY_ENABLED=false). */
  recorder: BufferedRecorder | undefined;
  /** One retention pass now (the scheduled job runs the same). */
  runRetention(now?: Date): Promise<RetentionOutcome>;
  /** Adds the route and the retention job; called once the monitor exists. */
  attach(monitor: HealthMonitor): Promise<void>;
}

export interface HealthHistoryOptions {
  settings: Config['health'];
}

/**
 * Call before the monitor's own onClose hook is added: onClose hooks run last-added first, so the
 * recorder's final flush then runs after the monitor has stopped (catching its last results) and
 * before the database pool closes.
 */
export function createHealthHistory(app: FastifyInstance, { settings }: HealthHistoryOptions): HealthHistory {
  const { db } = app.database;
  const logger = app.log.child({ component: 'health-history' });
  const repository = createHealthHistoryRepository({ db });
  const recorder = settings.historyEnabled ? createBufferedRecorder({ writer: repository, logger }) : undefined;
  if (recorder) app.addHook('onClose', () => recorder.close());

  const retention = {
    db,
    rawHours: settings.historyRawHours,
    fiveMinuteDays: settings.history5mDays,
    hourlyDays: settings.history1hDays,
    retentionDays: settings.historyRetentionDays,
  };
  const history: HealthHistory = {
    repository,
    recorder,
    runRetention: (now) => runHealthRetention({ ...retention, now }),
    async attach(monitor) {
      // Stored history stays readable, and keeps expiring, even while recording is switched off.
      await app.register(historyRoutes, { repository, monitor });
      scheduleHealthRetention({ ...retention, scheduler: app.scheduler, logger });
    },
  };
  app.decorate('healthHistory', history);
  return history;
}
