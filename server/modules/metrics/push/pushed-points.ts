/**
 * A push as points of the project's time series, so pushed metrics get charts and alert rules
 * without a Prometheus: each sample (a histogram's `_bucket`, `_sum` and `_count` each) with its
 * group's labels, which win over a pushed label of the same name as they do on /metrics.
 */
import type { SampledPoint } from '../timeseries/index.ts';
import type { GroupingKey } from './grouping-key.ts';
import type { PushedFamily } from './metric-families.ts';

export function pointsOfPush(projectId: string, key: GroupingKey, families: readonly PushedFamily[]): SampledPoint[] {
  return families.flatMap((family) =>
    family.samples.map((sample) => ({ projectId, name: sample.name, labels: { ...sample.labels, ...key }, value: sample.value })),
  );
}
