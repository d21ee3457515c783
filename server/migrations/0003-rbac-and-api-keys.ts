import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Built-in roles have no organization and take their permissions from contracts/permissions.ts;
    -- custom roles belong to one organization and list theirs in role_permissions.
    CREATE TABLE roles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid REFERENCES organizations(id) ON DELETE CASCADE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE NULLS NOT DISTINCT (organization_id, name)
    );
    INSERT INTO roles (name, description) VALUES
      ('owner', 'Everything, including the organization itself'),
      ('admin', 'Users, roles, API keys and security settings, and everything an editor may do'),
      ('editor', 'Changes monitored services and sends logs, and everything a viewer may do'),
      ('viewer', 'Reads health, services and logs');

    CREATE TABLE role_permissions (
      role_id uuid NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
      permission text NOT NULL,
      PRIMARY KEY (role_id, permission)
    );

    -- A role held in an organization, or in one project of it when project_id is set.
    CREATE TABLE memberships (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
      role_id uuid NOT NULL REFERENCES roles(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE NULLS NOT DISTINCT (user_id, organization_id, project_id)
    );
    CREATE INDEX memberships_organization ON memberships (organization_id);

    -- Keys for machines. Only the SHA-256 of the secret is stored; the prefix identifies a key in
    -- lists and logs without being usable.
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
      created_by uuid REFERENCES users(id) ON DELETE SET NULL,
      name text NOT NULL,
      prefix text NOT NULL UNIQUE,
      secret_hash text NOT NULL UNIQUE,
      scopes text[] NOT NULL,
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX api_keys_organization ON api_keys (organization_id);
  `.execute(db);
}
