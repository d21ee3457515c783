/**
 * The `health` feature: the probe monitor (exposed as `app.health` so other features register
 * their own probes), the built-in probes, and the /health routes.
 */
import fp from 'fastify-plugin';
import type { Config } from '../../infra/config/index.ts';
import { EventLoopMonitor } from './event-loop-monitor.ts';
import { HealthMonitor } from './health-monitor.ts';
import type { ServiceIdentity } from './health-report.ts';
import { DEFAULT_REPORT_SNAPSHOTS, healthRoutes, type ReportSnapshotSettings } from './health.routes.ts';
import { createCacheProbe } from './probes/cache-probe.ts';
import { createDatabaseProbe } from './probes/database-probe.ts';
import { createDiskProbe } from './probes/disk-probe.ts';
import { createEventLoopProbe } from './probes/event-loop-probe.ts';
import { createMemoryProbe } from './probes/memory-probe.ts';
import { createHealthHistory } from './history/index.ts';

export { HealthMonitor } from './health-monitor.ts';
export { SerializedBlocks } from './serialized-blocks.ts';
export { acceptsGzip, encodingFor, etagOf, sendAnswer, type BodyEncoding, type EncodedAnswer } from './encoded-reply.ts';
export { ReadSnapshots } from './read-snapshots.ts';
export { DEFAULT_REPORT_SNAPSHOTS, type ReportSnapshotSettings } from './health.routes.ts';
export type { ProbeDefinition, ProbeResult, Measurement } from '../../platform/probes/index.ts';
export type { ComponentState } from './component-state.ts';

declare module '../../platform/probes/index.ts' {
  // app.health is this feature's monitor: the platform sees only its register(), features and
  // tests also read its results and drive its runs.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an interface, to merge
  interface ProbeRegistry extends HealthMonitor {}
}

export interface HealthPluginOptions {
  config: Config;
  identity: ServiceIdentity;
  /** Start the check schedule when the app is ready (tests may drive checks by hand). */
  autoStart?: boolean;
  /** How the full reports' answers are kept between changes (health.routes.ts). */
  reportSnapshots?: ReportSnapshotSettings;
}

export const healthPlugin = fp<HealthPluginOptions>(
  async (app, { config, identity, autoStart = true, reportSnapshots = DEFAULT_REPORT_SNAPSHOTS }) => {
    const { health } = config;
    const loop = new EventLoopMonitor({ stallMemoryMs: Math.max(10_000, 2 * health.eventLoopStallMs) });
    const history = createHealthHistory(app, { settings: health });
    const monitor = new HealthMonitor({
      logger: app.log.child({ component: 'health' }),
      events: app.events,
      defaultIntervalMs: health.intervalMs,
      defaultTimeoutMs: health.timeoutMs,
      degradationFactor: health.degradationFactor,
      recoveryAfterFailures: health.recoveryAfterFailures,
      recorder: history.recorder,
    });
    app.decorate('health', monitor);

    monitor.register(createDatabaseProbe({ database: app.database }));
    monitor.register(createCacheProbe({ cache: app.cache }));
    monitor.register(
      createMemoryProbe({ warnPercent: health.memoryWarnPercent, failPercent: health.memoryFailPercent, dropCaches: () => app.cache.dropLocal() }),
    );
    monitor.register(createDiskProbe({ path: config.storage.dataDir, warnPercent: health.diskWarnPercent, failPercent: health.diskFailPercent }));
    monitor.register(createEventLoopProbe({ monitor: loop, stallMs: health.eventLoopStallMs }));

    await app.register(healthRoutes, {
      monitor,
      loop,
      identity,
      stallMs: health.eventLoopStallMs,
      isDraining: () => app.lifecycle.draining,
      startedAt: app.lifecycle.startedAt,
      snapshots: reportSnapshots,
    });
    await history.attach(monitor);

    loop.start();
    if (autoStart) app.addHook('onReady', () => monitor.start());
    app.addHook('onClose', async () => {
      loop.stop();
      await monitor.stop();
    });
  },
  { name: 'health', dependencies: ['database', 'cache', 'events', 'lifecycle', 'scheduler'] },
);
