import { sql, type Kysely } from 'kysely';

/**
 * Watchkeeper's own time series: `metric_series` names each series (project, metric name,
 * labels), and its points are kept at three resolutions, each table partitioned by day so that
 * retention drops whole partitions instead of deleting rows: raw samples, 1-minute and 1-hour
 * aggregates (avg, min, max, count of the samples folded in). A default partition takes points
 * outside the partitions made so far, so a write never fails for want of one.
 * `metric_rollups` records how far each resolution has been folded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE metric_series (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL,
      labels jsonb NOT NULL DEFAULT '{}',
      UNIQUE (project_id, name, labels)
    )`.execute(db);
  for (const table of ['metric_points_raw', 'metric_points_1m', 'metric_points_1h']) {
    const aggregate = table === 'metric_points_raw' ? sql`` : sql`, min double precision NOT NULL, max double precision NOT NULL, count integer NOT NULL`;
    await sql`
      CREATE TABLE ${sql.table(table)} (
        series_id bigint NOT NULL,
        at timestamptz NOT NULL,
        value double precision NOT NULL
        ${aggregate},
        PRIMARY KEY (series_id, at)
      ) PARTITION BY RANGE (at)`.execute(db);
    await sql`CREATE TABLE ${sql.table(`${table}_default`)} PARTITION OF ${sql.table(table)} DEFAULT`.execute(db);
  }
  await sql`
    CREATE TABLE metric_rollups (
      resolution text PRIMARY KEY,
      done_until timestamptz NOT NULL
    )`.execute(db);
}
