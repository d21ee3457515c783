/**
 * Health rules over the health monitor's latest results: one sample per selected component whose
 * status is one of the rule's (value 1), or that the latency detector sees degraded (value: its
 * latest check's latency over the baseline p95). A component not registered is no-data: the rule
 * names something that does not exist, which is not the same as "all is well".
 */
import { healthQuerySchema, type HealthQuery } from '../../../../../contracts/alert-rules.ts';
import type { ComponentState, HealthMonitor } from '../../../health/index.ts';
import type { AlertSample, AlertSource, SourceContext, SourceResult } from './alert-source.ts';

export type HealthMonitorReader = Pick<HealthMonitor, 'list' | 'latencyBaseline'>;

function labelsOf(state: ComponentState, group: string | undefined): Record<string, string> {
  // A component's first group is its own id; the others are the report groups it is in (`services`…).
  const groups = group ? [group] : state.groups.filter((g) => g !== state.id);
  return {
    component: state.id,
    component_type: state.componentType,
    ...(state.componentId !== state.id ? { component_id: state.componentId } : {}),
    ...(groups.length > 0 ? { group: groups.join(',') } : {}),
  };
}

export function createHealthSource({ monitor }: { monitor: HealthMonitorReader }): AlertSource<HealthQuery> {
  return {
    type: 'health',
    querySchema: healthQuerySchema,
    async evaluate(query: HealthQuery, { organizationId, projectId }: SourceContext): Promise<SourceResult> {
      const scope = { organizationId, projectId };
      const all = query.group ? monitor.list(query.group, scope) : monitor.list(undefined, scope);
      let selected: ComponentState[];
      if (query.group) {
        if (all.length === 0) return { kind: 'no-data', reason: `no component is in the group "${query.group}"` };
        selected = all;
      } else {
        const names = query.component ? [query.component] : query.components!;
        const byId = new Map(all.map((s) => [s.id, s]));
        const missing = names.filter((name) => !byId.has(name));
        if (missing.length > 0) return { kind: 'no-data', reason: `no component named ${missing.map((m) => `"${m}"`).join(', ')}` };
        selected = names.map((name) => byId.get(name)!);
      }
      const samples: AlertSample[] = [];
      for (const state of selected) {
        const labels = labelsOf(state, query.group);
        if (query.latencyDegraded) {
          if (state.degradation === undefined) continue;
          const p95 = monitor.latencyBaseline(state.id, state.scope)?.p95Ms ?? 0;
          samples.push({ labels, value: p95 > 0 && state.latencyMs !== undefined ? state.latencyMs / p95 : 1 });
        } else if (state.status !== undefined && state.status !== 'pass' && query.statuses!.includes(state.status)) {
          // A component not checked yet has no status: nothing is known, so nothing holds.
          samples.push({ labels, value: 1 });
        }
      }
      return { kind: 'ok', samples };
    },
  };
}
