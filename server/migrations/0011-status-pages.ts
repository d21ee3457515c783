import { sql, type Kysely } from 'kysely';

/**
 * Public status pages, one per organization (its slug is the page's address), opt-in: the page's
 * title and the health components it shows, chosen by `<project id>/<component name>`. Incidents
 * and scheduled maintenance (one table, `kind` tells them apart: they share a title, the
 * components they affect and a history of updates) with their updates over time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE status_pages (
      organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
      enabled boolean NOT NULL DEFAULT false,
      title text NOT NULL,
      components text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE status_incidents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('incident', 'maintenance')),
      title text NOT NULL,
      impact text NOT NULL CHECK (impact IN ('none', 'minor', 'major', 'critical')),
      components text[] NOT NULL DEFAULT '{}',
      status text NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved', 'scheduled', 'in-progress', 'completed')),
      starts_at timestamptz,
      ends_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      CHECK (kind = 'incident' OR (starts_at IS NOT NULL AND ends_at IS NOT NULL AND ends_at > starts_at))
    )`.execute(db);
  await sql`CREATE INDEX status_incidents_by_organization ON status_incidents (organization_id, created_at DESC)`.execute(db);

  await sql`
    CREATE TABLE status_incident_updates (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      incident_id uuid NOT NULL REFERENCES status_incidents (id) ON DELETE CASCADE,
      status text NOT NULL,
      message text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX status_incident_updates_by_incident ON status_incident_updates (incident_id, created_at)`.execute(db);
}
