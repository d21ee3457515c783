import { sql, type Kysely } from 'kysely';

/** IP allow/deny rules; instance-wide rules belong to the system organization. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ip_rules (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      action text NOT NULL CHECK (action IN ('allow', 'deny')),
      cidr cidr NOT NULL,
      scope text NOT NULL CHECK (scope IN ('all', 'admin', 'ingest', 'health', 'web')),
      description text NOT NULL DEFAULT '',
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, scope, action, cidr)
    );
  `.execute(db);
}
