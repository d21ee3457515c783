/**
 * Audit records by action and outcome, counted from the bus's `audit.recorded`. A record that
 * aggregates repeated denials counts as many as it stands for (`details.count`).
 */
import { Counter, type Registry } from 'prom-client';
import type { EventBus } from '../../../platform/events/index.ts';

export function registerAuditMetrics({ registry, events }: { registry: Registry; events: EventBus }): () => void {
  const recorded = new Counter({
    name: 'watchkeeper_audit_events_total',
    help: 'Audit records written by this instance, by action and outcome (an aggregated record counts its repetitions)',
    labelNames: ['action', 'outcome'] as const,
    registers: [registry],
  });
  return events.on('audit.recorded', (record) => {
    const count = typeof record.details?.count === 'number' && record.details.count > 0 ? record.details.count : 1;
    recorded.inc({ action: record.action, outcome: record.outcome }, count);
  });
}
