import { sql, type Kysely } from 'kysely';

/**
 * Metrics a project declares through the API (contracts/declared-metrics.ts): the declaration as
 * given, checked against each push of the metric. Those of the config file are not stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE declared_metrics (
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      name text NOT NULL,
      declaration jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (project_id, name)
    )`.execute(db);
}
