/**
 * Watchkeeper's own time series in PostgreSQL (migration 0013): series named by project, metric
 * and labels; points raw, folded into 1-minute and 1-hour aggregates, each resolution in tables
 * partitioned by time so that retention drops partitions. Not a TSDB and not PromQL: enough for
 * the dashboard's charts and the alert engine's thresholds over Watchkeeper's own data.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../infra/database/schema.ts';

export const RESOLUTIONS = ['raw', '1m', '1h'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];
export const AGGREGATIONS = ['avg', 'min', 'max', 'last', 'count'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

const TABLES = { raw: 'metric_points_raw', '1m': 'metric_points_1m', '1h': 'metric_points_1h' } as const;
/** How wide a partition of each table is: days for the finer ones, months for hours (400 days of them). */
const PARTITION = { raw: 'day', '1m': 'day', '1h': 'month' } as const;
export const RESOLUTION_SECONDS: Record<Resolution, number> = { raw: 0, '1m': 60, '1h': 3600 };

export interface SampledPoint {
  projectId: string;
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface QueriedSeries {
  labels: Record<string, string>;
  /** [seconds since the epoch, value] per step, oldest first; steps without points are absent. */
  points: [number, number][];
}

export interface SeriesQuery {
  projectId: string;
  name: string;
  /** Label equality matchers: every one must hold. */
  matchers: Record<string, string>;
  from: Date;
  to: Date;
  stepSeconds: number;
  aggregation: Aggregation;
  resolution: Resolution;
  /** At most this many series (the query says when it cut). */
  maxSeries: number;
}

const seriesKey = (projectId: string, name: string, labels: Record<string, string>) =>
  `${projectId}\u0000${name}\u0000${JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  )}`;
const sortedLabels = (labels: Record<string, string>) =>
  Object.fromEntries(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]!]),
  );

export function createTimeSeriesRepository(db: Kysely<Database>) {
  /** Series ids by key: a series is named once per process, then only its points are written. */
  const ids = new Map<string, string>();

  /**
   * Inside a caller's transaction (`trx`), the ids of new series are not kept: the transaction may
   * still roll back, and an id kept from it would name a series that was never made.
   */
  async function seriesIds(points: readonly SampledPoint[], trx: Kysely<Database> | undefined): Promise<string[]> {
    const missing = points.filter((p) => !ids.has(seriesKey(p.projectId, p.name, p.labels)));
    const found = new Map<string, string>();
    if (missing.length > 0) {
      const unique = new Map(missing.map((p) => [seriesKey(p.projectId, p.name, p.labels), p]));
      const rows = await (trx ?? db)
        .insertInto('metric_series')
        .values([...unique.values()].map((p) => ({ project_id: p.projectId, name: p.name, labels: JSON.stringify(sortedLabels(p.labels)) })))
        // A no-op update, so RETURNING names the series that existed already too.
        .onConflict((conflict) => conflict.columns(['project_id', 'name', 'labels']).doUpdateSet((eb) => ({ name: eb.ref('excluded.name') })))
        .returning(['id', 'project_id', 'name', 'labels'])
        .execute();
      for (const row of rows) found.set(seriesKey(row.project_id, row.name, row.labels), String(row.id));
      if (!trx) for (const [key, id] of found) ids.set(key, id);
    }
    return points.map((p) => {
      const key = seriesKey(p.projectId, p.name, p.labels);
      return ids.get(key) ?? found.get(key)!;
    });
  }

  return {
    /**
     * Writes one sampling round, all at `at`; a point already there (same series and time) is
     * kept. With `trx`, in the caller's transaction (a push is stored and recorded together).
     */
    async write(points: readonly SampledPoint[], at: Date, { trx }: { trx?: Kysely<Database> } = {}): Promise<void> {
      const finite = points.filter((p) => Number.isFinite(p.value));
      if (finite.length === 0) return;
      const series = await seriesIds(finite, trx);
      await (trx ?? db)
        .insertInto('metric_points_raw')
        .values(finite.map((p, i) => ({ series_id: series[i]!, at, value: p.value })))
        .onConflict((conflict) => conflict.doNothing())
        .execute();
    },

    async query({
      projectId,
      name,
      matchers,
      from,
      to,
      stepSeconds,
      aggregation,
      resolution,
      maxSeries,
    }: SeriesQuery): Promise<{ series: QueriedSeries[]; truncated: boolean }> {
      const table = sql.table(TABLES[resolution]);
      const raw = resolution === 'raw';
      const value = {
        avg: raw ? sql`avg(p.value)` : sql`sum(p.value * p.count) / sum(p.count)`,
        min: raw ? sql`min(p.value)` : sql`min(p.min)`,
        max: raw ? sql`max(p.value)` : sql`max(p.max)`,
        last: sql`(array_agg(p.value ORDER BY p.at DESC))[1]`,
        count: raw ? sql`count(*)::double precision` : sql`sum(p.count)::double precision`,
      }[aggregation];
      const series = await db
        .selectFrom('metric_series')
        .select(['id', 'labels'])
        .where('project_id', '=', projectId)
        .where('name', '=', name)
        .where(sql<boolean>`labels @> ${JSON.stringify(matchers)}::jsonb`)
        .orderBy('id')
        .limit(maxSeries + 1)
        .execute();
      const kept = series.slice(0, maxSeries);
      if (kept.length === 0) return { series: [], truncated: false };
      const { rows } = await sql<{ series_id: string; t: number; v: number }>`
        SELECT p.series_id, extract(epoch FROM date_bin(${`${stepSeconds} seconds`}::interval, p.at, 'epoch'::timestamptz))::double precision AS t, ${value} AS v
        FROM ${table} p
        WHERE p.series_id = ANY(${kept.map((s) => s.id)}::bigint[]) AND p.at >= ${from} AND p.at < ${to}
        GROUP BY p.series_id, t
        ORDER BY p.series_id, t`.execute(db);
      const bySeries = new Map(kept.map((s) => [String(s.id), { labels: s.labels, points: [] as [number, number][] }]));
      for (const row of rows) bySeries.get(String(row.series_id))?.points.push([Number(row.t), Number(row.v)]);
      return { series: [...bySeries.values()], truncated: series.length > maxSeries };
    },

    /** The metric names a project has, with their label names, for a picker. */
    async metrics(projectId: string): Promise<{ name: string; labels: string[] }[]> {
      const { rows } = await sql<{ name: string; labels: string[] | null }>`
        SELECT name, array_agg(DISTINCT key ORDER BY key) FILTER (WHERE key IS NOT NULL) AS labels
        FROM metric_series LEFT JOIN LATERAL jsonb_object_keys(labels) AS key ON true
        WHERE project_id = ${projectId}
        GROUP BY name ORDER BY name`.execute(db);
      return rows.map((row) => ({ name: row.name, labels: row.labels ?? [] }));
    },

    /**
     * Folds the finer resolution into `target` up to `until` (floored to the target's width), from
     * where the last fold stopped; a bucket is written once (a fold that ran twice adds nothing).
     */
    async rollUp(target: Exclude<Resolution, 'raw'>, until: Date): Promise<number> {
      const width = RESOLUTION_SECONDS[target];
      const end = new Date(Math.floor(until.getTime() / 1000 / width) * width * 1000);
      return db.transaction().execute(async (trx) => {
        const progress = await trx.selectFrom('metric_rollups').select('done_until').where('resolution', '=', target).forUpdate().executeTakeFirst();
        const source = target === '1m' ? 'metric_points_raw' : 'metric_points_1m';
        const start =
          progress?.done_until ??
          (
            await trx
              .selectFrom(source)
              .select(sql<Date>`min(at)`.as('first'))
              .executeTakeFirst()
          )?.first;
        if (!start || new Date(start) >= end) return 0;
        const folded =
          target === '1m'
            ? sql`SELECT series_id, date_bin('1 minute', at, 'epoch'::timestamptz) AS bucket, avg(value), min(value), max(value), count(*)
                  FROM metric_points_raw WHERE at >= ${start} AND at < ${end} GROUP BY 1, 2`
            : sql`SELECT series_id, date_bin('1 hour', at, 'epoch'::timestamptz) AS bucket, sum(value * count) / sum(count), min(min), max(max), sum(count)
                  FROM metric_points_1m WHERE at >= ${start} AND at < ${end} GROUP BY 1, 2`;
        const result = await sql`INSERT INTO ${sql.table(TABLES[target])} (series_id, at, value, min, max, count) ${folded} ON CONFLICT DO NOTHING`.execute(
          trx,
        );
        await trx
          .insertInto('metric_rollups')
          .values({ resolution: target, done_until: end })
          .onConflict((conflict) => conflict.column('resolution').doUpdateSet({ done_until: end }))
          .execute();
        return Number(result.numAffectedRows ?? 0);
      });
    },

    /** Makes the partitions from `from` to `to` (inclusive) that do not exist yet. */
    async ensurePartitions(resolution: Resolution, from: Date, to: Date): Promise<void> {
      for (const [start, end] of periods(PARTITION[resolution], from, to)) {
        const name = partitionName(resolution, start);
        await sql`CREATE TABLE IF NOT EXISTS ${sql.table(name)} PARTITION OF ${sql.table(TABLES[resolution])} FOR VALUES FROM (${sql.lit(start.toISOString())}) TO (${sql.lit(end.toISOString())})`.execute(
          db,
        );
      }
    },

    /** Drops the partitions wholly before `before`, and deletes the default partition's points before it. */
    async dropBefore(resolution: Resolution, before: Date): Promise<{ partitionsDropped: number }> {
      const table = TABLES[resolution];
      const { rows } = await sql<{ name: string; upper: string }>`
        SELECT c.relname AS name, substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)') AS upper
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class parent ON parent.oid = i.inhparent
        WHERE parent.relname = ${table} AND c.relname <> ${`${table}_default`}`.execute(db);
      let partitionsDropped = 0;
      for (const row of rows) {
        if (row.upper && new Date(row.upper) <= before) {
          await sql`DROP TABLE IF EXISTS ${sql.table(row.name)}`.execute(db);
          partitionsDropped++;
        }
      }
      await sql`DELETE FROM ${sql.table(`${table}_default`)} WHERE at < ${before}`.execute(db);
      return { partitionsDropped };
    },
  };
}

export type TimeSeriesRepository = ReturnType<typeof createTimeSeriesRepository>;

function partitionName(resolution: Resolution, start: Date): string {
  const day = start.toISOString().slice(0, 10).replaceAll('-', '');
  return `${TABLES[resolution]}_p${PARTITION[resolution] === 'month' ? day.slice(0, 6) : day}`;
}

/** The UTC days or months covering [from, to], as [start, end) pairs. */
function periods(width: 'day' | 'month', from: Date, to: Date): [Date, Date][] {
  const out: [Date, Date][] = [];
  let start =
    width === 'day'
      ? new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()))
      : new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1));
  while (start <= to) {
    const end =
      width === 'day'
        ? new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 1))
        : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    out.push([start, end]);
    start = end;
  }
  return out;
}
