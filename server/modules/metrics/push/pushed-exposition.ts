/**
 * Pushed groups as families for /metrics, the way the Pushgateway exposes them: every sample
 * carries its group's labels (which win over a pushed label of the same name), `instance=""` when
 * neither set one, and `watchkeeper_project` (the project it was pushed to: two projects may push
 * the same job). Each group also gets `push_time_seconds` and `push_failure_time_seconds`.
 * Scrape with `honor_labels: true` so Prometheus keeps the pushed `job` and `instance`.
 */
import type { Registry } from 'prom-client';
import type { MetricFamily } from '../../../platform/metrics/index.ts';
import { PushFormatError, seriesNamesOf, type PushedFamily } from './metric-families.ts';
import type { StoredGroup } from './pushed-metrics-repository.ts';

export const PROJECT_LABEL = 'watchkeeper_project';
const PUSH_TIME = 'push_time_seconds';
const PUSH_FAILURE_TIME = 'push_failure_time_seconds';

export function pushedFamilies(groups: readonly StoredGroup[]): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const familyOf = (name: string, help: string, type: MetricFamily['type']) => {
    let family = families.get(name);
    if (!family) families.set(name, (family = { name, help, type, values: [] }));
    return family;
  };
  for (const group of groups) {
    const groupLabels = { instance: '', ...group.labels, [PROJECT_LABEL]: group.projectId };
    for (const pushed of group.families) {
      const family = familyOf(pushed.name, pushed.help, pushed.type);
      for (const sample of pushed.samples) family.values.push({ metricName: sample.name, labels: { ...sample.labels, ...groupLabels }, value: sample.value });
    }
    familyOf(PUSH_TIME, 'Last time a group was pushed successfully, in seconds since the epoch', 'gauge').values.push({
      labels: groupLabels,
      value: group.pushedAt.getTime() / 1000,
    });
    familyOf(PUSH_FAILURE_TIME, 'Last time a push to a group was refused, in seconds since the epoch (0: never)', 'gauge').values.push({
      labels: groupLabels,
      value: group.failedAt ? group.failedAt.getTime() / 1000 : 0,
    });
  }
  return families;
}

/**
 * Refuses what would clash with Watchkeeper's own exposition: its namespace (`watchkeeper_…`),
 * the push bookkeeping, the project label, and a series name of its own families under another
 * family or type. The same family with the same type (a service pushing prom-client's default
 * `process_cpu_seconds_total`) is taken: its samples join Watchkeeper's, told apart by `job`.
 */
export function refuseClashes(families: readonly PushedFamily[], registry: Registry): void {
  const own = new Map<string, { family: string; type: string }>();
  for (const metric of registry.getMetricsAsArray() as unknown as { name: string; type: MetricFamily['type'] }[])
    for (const series of seriesNamesOf(metric)) own.set(series, { family: metric.name, type: metric.type });
  for (const family of families) {
    const metric = family.name;
    if (metric.startsWith('watchkeeper_') || metric === PUSH_TIME || metric === PUSH_FAILURE_TIME)
      throw new PushFormatError(`${metric} is reserved: names starting with watchkeeper_, ${PUSH_TIME} and ${PUSH_FAILURE_TIME} are Watchkeeper's own`, {
        metric,
      });
    for (const series of seriesNamesOf(family)) {
      const clash = own.get(series);
      if (clash && (clash.family !== metric || clash.type !== family.type))
        throw new PushFormatError(
          `${series} is a series of Watchkeeper's own ${clash.type} ${clash.family}; a pushed ${family.type} ${metric} cannot share it`,
          { metric },
        );
    }
    if (family.samples.some((sample) => PROJECT_LABEL in sample.labels))
      throw new PushFormatError(`the label ${PROJECT_LABEL} is reserved: Watchkeeper sets it`, { metric });
  }
}
