import { sql, type Kysely } from 'kysely';
import { SYSTEM_ORGANIZATION_ID, SYSTEM_PROJECT_ID } from '../../contracts/tenancy.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE organizations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE projects (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      slug text NOT NULL,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, slug)
    );
    INSERT INTO organizations (id, slug, name) VALUES ('${sql.raw(SYSTEM_ORGANIZATION_ID)}', 'system', 'Watchkeeper');
    INSERT INTO projects (id, organization_id, slug, name)
      VALUES ('${sql.raw(SYSTEM_PROJECT_ID)}', '${sql.raw(SYSTEM_ORGANIZATION_ID)}', 'watchkeeper', 'Watchkeeper itself');

    CREATE TABLE external_services (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
      name text NOT NULL,
      definition jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, project_id, name)
    );

    CREATE TABLE health_samples (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id uuid NOT NULL,
      project_id uuid NOT NULL,
      component text NOT NULL,
      status text NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
      latency_ms double precision,
      resolution text NOT NULL DEFAULT 'raw' CHECK (resolution IN ('raw', '5m')),
      sample_count integer NOT NULL DEFAULT 1,
      pass_count integer NOT NULL DEFAULT 0,
      warn_count integer NOT NULL DEFAULT 0,
      fail_count integer NOT NULL DEFAULT 0,
      latency_p95_ms double precision,
      latency_max_ms double precision,
      output text,
      checked_at timestamptz NOT NULL
    );
    CREATE INDEX health_samples_scope_component_time ON health_samples (organization_id, project_id, component, checked_at);
    CREATE INDEX health_samples_resolution_time ON health_samples (resolution, checked_at);

    CREATE TABLE health_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id uuid NOT NULL,
      project_id uuid NOT NULL,
      component text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('transition', 'recovery')),
      from_status text CHECK (from_status IN ('pass', 'warn', 'fail')),
      to_status text CHECK (to_status IN ('pass', 'warn', 'fail')),
      output text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      occurred_at timestamptz NOT NULL
    );
    CREATE INDEX health_events_scope_component_time ON health_events (organization_id, project_id, component, occurred_at);
    CREATE INDEX health_events_time ON health_events (occurred_at);
  `.execute(db);
}
