import { sql, type Kysely } from 'kysely';

/**
 * Metrics pushed by a team's services over the Pushgateway protocol: one row per project and
 * grouping key (`job` and further labels), holding the group's metric families as last pushed.
 * `family_series` (name → type and series count) lets a push check the project's types and
 * series limits without reading every group's samples.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE pushed_metric_groups (
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      grouping_key text NOT NULL,
      labels jsonb NOT NULL,
      families jsonb NOT NULL DEFAULT '{}',
      family_series jsonb NOT NULL DEFAULT '{}',
      series integer NOT NULL DEFAULT 0,
      pushed_at timestamptz NOT NULL DEFAULT now(),
      failed_at timestamptz,
      PRIMARY KEY (project_id, grouping_key)
    )`.execute(db);
}
