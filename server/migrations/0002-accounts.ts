import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- Stored lower-cased: one account per address whatever its spelling.
      email text NOT NULL UNIQUE CHECK (email = lower(email)),
      password_hash text NOT NULL,
      disabled_at timestamptz,
      password_changed_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- Server-side sessions. The cookie holds a random id; only its SHA-256 is stored, so a copy of
    -- this table does not let anyone sign in.
    CREATE TABLE sessions (
      id_hash text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      -- Set when the user's privileges changed: the next request gets a fresh session id.
      rotate_required boolean NOT NULL DEFAULT false,
      ip text,
      user_agent text
    );
    CREATE INDEX sessions_user ON sessions (user_id);
    CREATE INDEX sessions_expires ON sessions (expires_at);

    -- Failed sign-ins per account ('account:<email>', whether or not it exists) and per IP address
    -- ('ip:<address>'), so lockouts hold across instances and restarts.
    CREATE TABLE login_throttles (
      key text PRIMARY KEY,
      failures integer NOT NULL DEFAULT 0,
      last_failure_at timestamptz NOT NULL DEFAULT now(),
      locked_until timestamptz
    );
  `.execute(db);
}
