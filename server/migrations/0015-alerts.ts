import { sql, type Kysely } from 'kysely';

/**
 * Alerts as Alertmanager keeps them: one row per label set (its fingerprint) per project, whether
 * it was posted through the Alertmanager API v2 or raised by one of Watchkeeper's own rules; the
 * latest `starts_at`/`ends_at` say whether it is firing. Every change of state is kept in
 * `alert_transitions`, so the UI shows an alert's history. Silences carry their matchers as the
 * API gives them; their state (pending, active, expired) follows from the time window.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE alerts (
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      fingerprint text NOT NULL,
      labels jsonb NOT NULL,
      annotations jsonb NOT NULL DEFAULT '{}',
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      generator_url text NOT NULL DEFAULT '',
      origin text NOT NULL CHECK (origin IN ('api', 'rule')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (project_id, fingerprint)
    )`.execute(db);
  await sql`CREATE INDEX alerts_by_end ON alerts (project_id, ends_at)`.execute(db);

  await sql`
    CREATE TABLE alert_transitions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      fingerprint text NOT NULL,
      from_state text NOT NULL,
      to_state text NOT NULL,
      at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX alert_transitions_by_alert ON alert_transitions (project_id, fingerprint, at DESC)`.execute(db);

  await sql`
    CREATE TABLE silences (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
      matchers jsonb NOT NULL,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL CHECK (ends_at >= starts_at),
      created_by text NOT NULL,
      comment text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX silences_by_project ON silences (project_id, ends_at DESC)`.execute(db);
}
