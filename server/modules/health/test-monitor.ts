/**
 * A HealthMonitor for tests: logging nowhere, its own event bus, checks once a minute unless run,
 * each bounded by 1 s. For tests only.
 */
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { EventBus } from '../../platform/events/index.ts';
import { HealthMonitor, type HealthMonitorOptions } from './health-monitor.ts';

export function quietHealthMonitor(options: Partial<HealthMonitorOptions> = {}): { monitor: HealthMonitor; logger: FastifyBaseLogger } {
  const logger = options.logger ?? pino({ level: 'silent' });
  const monitor = new HealthMonitor({
    logger,
    events: new EventBus({ logger }),
    defaultIntervalMs: 60_000,
    defaultTimeoutMs: 1_000,
    degradationFactor: 3,
    recoveryAfterFailures: 3,
    ...options,
  });
  return { monitor, logger };
}
