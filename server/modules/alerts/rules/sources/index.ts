/**
 * The registry of alert sources by `type`. A new source (log query counts, error-group spikes) is
 * one file beside these and one line here.
 */
import type { AlertSource } from './alert-source.ts';
import { createHealthSource, type HealthMonitorReader } from './health.ts';
import { createMetricSource } from './metric.ts';
import { createSecurityEventsSource } from './security-events.ts';
import type { RetentionDays, TimeSeriesRepository } from '../../../metrics/timeseries/index.ts';
import type { SecurityEventsRepository } from '../../../../platform/security/events/index.ts';

export type { AlertSample, AlertSource, SourceContext, SourceResult } from './alert-source.ts';

export interface AlertSourceDependencies {
  monitor: HealthMonitorReader;
  timeSeries: Pick<TimeSeriesRepository, 'query'>;
  retentionDays?: RetentionDays;
  securityEvents: Pick<SecurityEventsRepository, 'countSeen'>;
}

export function createAlertSources({ monitor, timeSeries, retentionDays, securityEvents }: AlertSourceDependencies): Map<string, AlertSource> {
  const sources: AlertSource[] = [
    createHealthSource({ monitor }) as AlertSource,
    createMetricSource({ repository: timeSeries, ...(retentionDays ? { retentionDays } : {}) }) as AlertSource,
    createSecurityEventsSource({ repository: securityEvents }) as AlertSource,
  ];
  return new Map(sources.map((source) => [source.type, source]));
}
