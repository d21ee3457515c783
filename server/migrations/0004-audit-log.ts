import { sql, type Kysely } from 'kysely';

/**
 * The audit log: append-only, hash-chained (server/platform/audit/hash-chain.ts).
 *
 * `seq` is assigned by the appender under an advisory lock as last + 1, not by an identity column:
 * an identity leaves a gap whenever a transaction that recorded rolls back, and then a gap could
 * not prove a removal. Gapless, a missing number is a removed record; the primary key makes a
 * forked chain (two records with one predecessor) impossible.
 *
 * No foreign key to organizations: the log outlives what it describes, and a cascading delete
 * would be an UPDATE or DELETE here. `ip` is text so it comes back exactly as it was hashed
 * (inet would rewrite some spellings of an address).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_log (
      seq bigint PRIMARY KEY CHECK (seq > 0),
      occurred_at timestamptz NOT NULL,
      organization_id uuid,
      actor_type text NOT NULL CHECK (actor_type IN ('user', 'api-key', 'system', 'anonymous')),
      actor_id text,
      actor_label text,
      action text NOT NULL CHECK (action <> ''),
      target_type text,
      target_id text,
      target_label text,
      outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
      ip text,
      user_agent text,
      request_id text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
      hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
    );
    CREATE INDEX audit_log_occurred_at ON audit_log (occurred_at);
    CREATE INDEX audit_log_organization ON audit_log (organization_id, seq);
    CREATE INDEX audit_log_action ON audit_log (action, seq);
    CREATE INDEX audit_log_actor ON audit_log (actor_id, seq) WHERE actor_id IS NOT NULL;
    CREATE INDEX audit_log_target ON audit_log (target_type, target_id, seq) WHERE target_type IS NOT NULL;
    -- Verification looks up where a record's predecessor went when the chain breaks.
    CREATE INDEX audit_log_hash ON audit_log (hash);

    CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit records are never changed or removed; record a new event instead.';
    END;
    $$;

    -- Statement-level, so even an UPDATE or DELETE that matches no row is refused.
    CREATE TRIGGER audit_log_append_only
      BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();
  `.execute(db);

  // The trigger binds every role, but the table's owner (and a superuser) can disable it. On a
  // server where the app connects as a role that does not own the table, grant that role only
  // SELECT and INSERT, as PUBLIC gets nothing more here. Revoking from the migrating role as well
  // means even the owner must first grant itself the right back, a deliberate and visible step.
  await sql`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC, CURRENT_USER`.execute(db);
}
