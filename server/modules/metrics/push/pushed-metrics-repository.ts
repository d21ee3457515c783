/**
 * The pushed groups in PostgreSQL, so every instance exports the same pushed series and they
 * outlive a restart (the Pushgateway keeps them in memory, or in a file it rewrites). A push
 * takes the project's advisory lock for its transaction: two pushes to one project are checked
 * against the limits one after the other, never both against the state before either.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DeclaredMetric } from '../../../../contracts/declared-metrics.ts';
import type { Database } from '../../../infra/database/schema.ts';
import { formatValue } from '../exposition.ts';
import { groupingKeyId, type GroupingKey } from './grouping-key.ts';
import { parseSampleValue, type PushedFamily, type PushedMetricType } from './metric-families.ts';

export interface PushLimits {
  maxSeriesPerMetric: number;
  maxSeriesPerProject: number;
}

/** Why a well-formed push was refused; nothing of it is stored. */
export class PushRefused extends Error {
  constructor(
    readonly reason: 'type-conflict' | 'metric-series-limit' | 'project-series-limit',
    message: string,
    readonly metric?: string,
  ) {
    super(message);
    this.name = 'PushRefused';
  }
}

export interface StoredGroup {
  projectId: string;
  labels: GroupingKey;
  families: PushedFamily[];
  pushedAt: Date;
  failedAt: Date | null;
}

type StoredFamilies = Database['pushed_metric_groups']['families']['__select__'];

const toStored = (families: Iterable<PushedFamily>): StoredFamilies =>
  Object.fromEntries(
    [...families].map((family) => [
      family.name,
      {
        help: family.help,
        type: family.type,
        samples: family.samples.map((s): [string, Record<string, string>, string] => [s.name, s.labels, formatValue(s.value)]),
      },
    ]),
  );

const fromStored = (families: StoredFamilies): PushedFamily[] =>
  Object.entries(families).map(([name, family]) => ({
    name,
    help: family.help,
    type: family.type as PushedMetricType,
    samples: family.samples.map(([series, labels, value]) => ({ name: series, labels, value: parseSampleValue(value) })),
  }));

export function createPushedMetricsRepository(db: Kysely<Database>) {
  return {
    /**
     * Stores a push: `replace` (PUT) makes the group exactly these families; otherwise (POST)
     * they replace only the families of the same names. Refused, storing nothing, when a family's
     * type differs from the same name's in another group of the project, or when it would take a
     * metric or the project over its series limit (a push that does not add series is taken).
     * `within` runs in the push's transaction once it is accepted (its time-series points).
     */
    async push({
      projectId,
      key,
      families,
      replace,
      limits,
      declarations = new Map(),
      within,
    }: {
      projectId: string;
      key: GroupingKey;
      families: PushedFamily[];
      replace: boolean;
      limits: PushLimits;
      /** The project's declarations of the pushed names: their series limits and labels' distinct values. */
      declarations?: ReadonlyMap<string, DeclaredMetric>;
      within?: (trx: Transaction<Database>) => Promise<void>;
    }): Promise<void> {
      const id = groupingKeyId(key);
      await db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`watchkeeper:push:${projectId}`}, 0))`.execute(trx);
        const rows = await trx
          .selectFrom('pushed_metric_groups')
          .select(['grouping_key', 'family_series', 'series'])
          .where('project_id', '=', projectId)
          .execute();
        const own = rows.find((row) => row.grouping_key === id);
        let next = new Map(families.map((family) => [family.name, family]));
        if (!replace && own) {
          const stored = await trx
            .selectFrom('pushed_metric_groups')
            .select('families')
            .where('project_id', '=', projectId)
            .where('grouping_key', '=', id)
            .executeTakeFirstOrThrow();
          next = new Map([...fromStored(stored.families).map((family): [string, PushedFamily] => [family.name, family]), ...next]);
        }
        const familySeries = Object.fromEntries(
          [...next.values()].map((family): [string, [string, number]] => [family.name, [family.type, family.samples.length]]),
        );
        const series = Object.values(familySeries).reduce((sum, [, count]) => sum + count, 0);
        checkAgainstOthers({ others: rows.filter((row) => row !== own), own, familySeries, series, pushed: families, limits, declarations });
        await checkLabelValues(trx, { projectId, id, key, pushed: families, declarations });
        await trx
          .insertInto('pushed_metric_groups')
          .values({
            project_id: projectId,
            grouping_key: id,
            labels: JSON.stringify(key),
            families: JSON.stringify(toStored(next.values())),
            family_series: JSON.stringify(familySeries),
            series,
            pushed_at: new Date(),
          })
          .onConflict((conflict) =>
            conflict.columns(['project_id', 'grouping_key']).doUpdateSet((eb) => ({
              families: eb.ref('excluded.families'),
              family_series: eb.ref('excluded.family_series'),
              series: eb.ref('excluded.series'),
              pushed_at: eb.ref('excluded.pushed_at'),
            })),
          )
          .execute();
        await within?.(trx);
      });
    },

    /** Deletes the group; false when there was none. */
    async remove(projectId: string, key: GroupingKey): Promise<boolean> {
      const result = await db
        .deleteFrom('pushed_metric_groups')
        .where('project_id', '=', projectId)
        .where('grouping_key', '=', groupingKeyId(key))
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Marks an existing group's failed push (push_failure_time_seconds); a group that never existed stays absent. */
    async markFailed(projectId: string, key: GroupingKey): Promise<void> {
      await db
        .updateTable('pushed_metric_groups')
        .set({ failed_at: new Date() })
        .where('project_id', '=', projectId)
        .where('grouping_key', '=', groupingKeyId(key))
        .execute();
    },

    async all(): Promise<StoredGroup[]> {
      const rows = await db.selectFrom('pushed_metric_groups').selectAll().orderBy('project_id').orderBy('grouping_key').execute();
      return rows.map((row) => ({
        projectId: row.project_id,
        labels: row.labels,
        families: fromStored(row.families),
        pushedAt: row.pushed_at,
        failedAt: row.failed_at,
      }));
    },
  };
}

export type PushedMetricsRepository = ReturnType<typeof createPushedMetricsRepository>;

function checkAgainstOthers({
  others,
  own,
  familySeries,
  series,
  pushed,
  limits,
  declarations,
}: {
  others: { family_series: Record<string, [string, number]>; series: number }[];
  own: { family_series: Record<string, [string, number]>; series: number } | undefined;
  familySeries: Record<string, [string, number]>;
  series: number;
  pushed: PushedFamily[];
  limits: PushLimits;
  declarations: ReadonlyMap<string, DeclaredMetric>;
}): void {
  for (const family of pushed) {
    let elsewhere = 0;
    for (const other of others) {
      const entry = other.family_series[family.name];
      if (!entry) continue;
      if (entry[0] !== family.type)
        throw new PushRefused(
          'type-conflict',
          `${family.name} is a ${entry[0]} in another group of this project; this push makes it a ${family.type}`,
          family.name,
        );
      elsewhere += entry[1];
    }
    const after = elsewhere + (familySeries[family.name]?.[1] ?? 0);
    const before = elsewhere + (own?.family_series[family.name]?.[1] ?? 0);
    const declared = declarations.get(family.name)?.maxSeries;
    const limit = declared ?? limits.maxSeriesPerMetric;
    if (after > limit && after > before)
      throw new PushRefused(
        'metric-series-limit',
        `${family.name} would have ${after} series in this project; ${declared === undefined ? `a metric may have ${limit} (METRICS_PUSH_MAX_SERIES_PER_METRIC)` : `its declaration allows ${limit} (maxSeries)`}`,
        family.name,
      );
  }
  const elsewhere = others.reduce((sum, other) => sum + other.series, 0);
  const after = elsewhere + series;
  if (after > limits.maxSeriesPerProject && after > elsewhere + (own?.series ?? 0))
    throw new PushRefused(
      'project-series-limit',
      `this push would bring the project to ${after} pushed series; a project may have ${limits.maxSeriesPerProject} (METRICS_PUSH_MAX_SERIES_PER_PROJECT)`,
    );
}

/**
 * A declared label's `maxValues`: its distinct values over the project's groups once this push is
 * in, refused when over and more than before (a push that adds no value is taken).
 */
async function checkLabelValues(
  trx: Transaction<Database>,
  {
    projectId,
    id,
    key,
    pushed,
    declarations,
  }: { projectId: string; id: string; key: GroupingKey; pushed: PushedFamily[]; declarations: ReadonlyMap<string, DeclaredMetric> },
): Promise<void> {
  for (const family of pushed) {
    const bounded = (declarations.get(family.name)?.labels ?? []).filter((label) => label.maxValues !== undefined && !(label.name in key));
    if (bounded.length === 0) continue;
    const rows = await trx
      .selectFrom('pushed_metric_groups')
      .select(['grouping_key', 'labels', sql<[string, Record<string, string>, string][]>`families -> ${family.name} -> 'samples'`.as('samples')])
      .where('project_id', '=', projectId)
      .where(sql<boolean>`families ? ${family.name}`)
      .execute();
    for (const label of bounded) {
      const before = new Set<string>();
      const after = new Set<string>();
      for (const row of rows) {
        if (label.name in row.labels) continue;
        for (const [, labels] of row.samples ?? []) {
          const value = labels[label.name];
          if (value === undefined) continue;
          before.add(value);
          if (row.grouping_key !== id) after.add(value);
        }
      }
      for (const sample of family.samples) if (sample.labels[label.name] !== undefined) after.add(sample.labels[label.name]!);
      if (after.size > label.maxValues! && after.size > before.size)
        throw new PushRefused(
          'metric-series-limit',
          `${family.name}: the label ${label.name} would have ${after.size} values in this project; its declaration allows ${label.maxValues} (maxValues)`,
          family.name,
        );
    }
  }
}
