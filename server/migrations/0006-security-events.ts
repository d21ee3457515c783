import { sql, type Kysely } from 'kysely';

/**
 * Security events opened by the detectors, one row per (kind, subject) per window, and the
 * addresses each API key has been used from (to notice a new one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE security_events (
      id bigserial PRIMARY KEY,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      kind text NOT NULL,
      severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
      subject text NOT NULL,
      count integer NOT NULL CHECK (count > 0),
      window_seconds integer NOT NULL CHECK (window_seconds > 0),
      window_start timestamptz NOT NULL,
      first_seen timestamptz NOT NULL,
      last_seen timestamptz NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      UNIQUE (organization_id, kind, subject, window_start)
    );
    CREATE INDEX security_events_organization_last_seen ON security_events (organization_id, last_seen DESC);

    CREATE TABLE security_api_key_ips (
      api_key_id uuid NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
      ip text NOT NULL,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      first_seen timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (api_key_id, ip)
    );
  `.execute(db);
}
