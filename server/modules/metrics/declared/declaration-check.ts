/**
 * A push held to the project's declarations: a declared metric's type, the labels its samples may
 * carry and their allowed values, and a histogram's buckets. What needs the project's other groups
 * (a label's distinct values, the series limit) is checked under the push's lock in
 * pushed-metrics-repository.ts. A declared help replaces the pushed one.
 */
import type { DeclaredMetric } from '../../../../contracts/declared-metrics.ts';
import type { GroupingKey } from '../push/grouping-key.ts';
import { PushFormatError, type PushedFamily } from '../push/metric-families.ts';
import { PushRefused } from '../push/pushed-metrics-repository.ts';

/** The label a type's own series carry: not the declaration's business. */
const OWN_LABEL: Partial<Record<PushedFamily['type'], string>> = { histogram: 'le', summary: 'quantile' };

export function checkDeclarations(
  families: PushedFamily[],
  declarations: ReadonlyMap<string, DeclaredMetric>,
  key: GroupingKey,
  { requireDeclared }: { requireDeclared: boolean },
): void {
  for (const family of families) {
    const declared = declarations.get(family.name);
    if (!declared) {
      if (requireDeclared)
        throw new PushFormatError(`${family.name} is not declared in this project, and METRICS_PUSH_REQUIRE_DECLARED is on`, { metric: family.name });
      continue;
    }
    // A push without a TYPE line is untyped: a declared counter or gauge says what it is.
    if (family.type === 'untyped' && (declared.type === 'counter' || declared.type === 'gauge')) family.type = declared.type;
    if (declared.type !== family.type)
      throw new PushRefused('type-conflict', `${family.name} is declared a ${declared.type}; this push makes it a ${family.type}`, family.name);
    const labels = new Map(declared.labels.map((label) => [label.name, label]));
    const own = OWN_LABEL[family.type];
    for (const sample of family.samples) {
      for (const [name, value] of Object.entries(sample.labels)) {
        // The group's labels win over a sample's (as on /metrics): they are the grouping key's to say.
        if (name === own || name in key) continue;
        const label = labels.get(name);
        if (!label)
          throw new PushFormatError(
            `${family.name}: the label "${name}" is not declared (declared: ${declared.labels.map((l) => l.name).join(', ') || 'none'})`,
            { metric: family.name },
          );
        if (label.values && !label.values.includes(value))
          throw new PushFormatError(`${family.name}: ${name}="${value}" is not one of the declared values (${label.values.join(', ')})`, {
            metric: family.name,
          });
      }
    }
    if (declared.buckets) checkBuckets(family, declared.buckets);
    if (declared.help) family.help = declared.help;
  }
}

function checkBuckets(family: PushedFamily, buckets: readonly number[]): void {
  const expected = [...buckets, Infinity].join(',');
  const bySeries = new Map<string, number[]>();
  for (const sample of family.samples) {
    if (sample.name !== `${family.name}_bucket`) continue;
    const { le, ...rest } = sample.labels;
    const series = JSON.stringify(Object.entries(rest).sort());
    bySeries.set(series, [...(bySeries.get(series) ?? []), le === '+Inf' ? Infinity : Number(le)]);
  }
  for (const bounds of bySeries.values()) {
    const got = bounds.sort((a, b) => a - b).join(',');
    if (got !== expected)
      throw new PushFormatError(`${family.name}: the buckets are ${got.replace('Infinity', '+Inf')}; declared ${expected.replace('Infinity', '+Inf')}`, {
        metric: family.name,
      });
  }
}
