/** Turns component states into the IETF health response shape. */
import type { HealthCheckEntry, HealthResponse, HealthStatus } from '../../../contracts/health.ts';
import { worstStatus } from './health-monitor.ts';
import type { ComponentState } from './component-state.ts';

export interface ServiceIdentity {
  version: string;
  releaseId: string;
  serviceId: string;
}

export function checkEntries(state: ComponentState): Record<string, HealthCheckEntry[]> {
  const time = (state.checkedAt ?? new Date(0)).toISOString();
  const status: HealthStatus = state.status ?? 'warn';
  const base = {
    componentId: state.componentId,
    componentType: state.componentType,
    time,
    ...(state.affectedEndpoints.length > 0 && status !== 'pass' ? { affectedEndpoints: state.affectedEndpoints } : {}),
  };
  const entries: Record<string, HealthCheckEntry[]> = {};
  // Every component reports its check latency, so history and degradation have one measure.
  entries[`${state.id}:responseTime`] = [
    {
      ...base,
      observedValue: state.latencyMs === undefined ? undefined : Math.round(state.latencyMs * 1000) / 1000,
      observedUnit: 'ms',
      status,
      ...(state.output ? { output: state.output } : {}),
    },
  ];
  for (const measurement of state.measurements) {
    if (measurement.name === 'responseTime') continue;
    const measured = measurement.status ?? status;
    entries[`${state.id}:${measurement.name}`] = [
      {
        ...base,
        ...(measurement.observedValue !== undefined ? { observedValue: measurement.observedValue } : {}),
        ...(measurement.observedUnit ? { observedUnit: measurement.observedUnit } : {}),
        status: measured,
        ...(measurement.output ? { output: measurement.output } : {}),
      },
    ];
  }
  return entries;
}

/**
 * Status of a set of components. `degraded` applies the criticality rule used for the overall
 * status: a failing non-critical component only warns. Component endpoints report raw status.
 */
export function aggregateStatus(states: ComponentState[], { degraded }: { degraded: boolean }): HealthStatus {
  return worstStatus(
    states.map((s) => {
      const status = s.status ?? (s.critical ? 'fail' : 'warn');
      return degraded && status === 'fail' && !s.critical ? 'warn' : status;
    }),
  );
}

export interface ReportSummary {
  description: string;
  status: HealthStatus;
  notes?: string[];
  output?: string;
}

/** The report's `output`: the one given, else every component that does not pass, with why. */
export function reportOutput(states: readonly ComponentState[], output: string | undefined): string | undefined {
  // An empty `output` given means none, as it always has.
  if (output !== undefined) return output || undefined;
  const problems = states
    .filter((s) => s.status !== 'pass')
    .map((s) => `${s.id}${s.critical ? ' (critical)' : ''}: ${s.output ?? s.status ?? 'not checked yet'}`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

export function buildHealthReport(
  identity: ServiceIdentity,
  states: ComponentState[],
  { description, status, notes = [], output }: ReportSummary,
): HealthResponse {
  const checks: Record<string, HealthCheckEntry[]> = {};
  for (const state of states) Object.assign(checks, checkEntries(state));
  const summary = reportOutput(states, output);
  return {
    status,
    version: identity.version,
    releaseId: identity.releaseId,
    serviceId: identity.serviceId,
    description,
    notes,
    ...(summary !== undefined ? { output: summary } : {}),
    checks,
  };
}
