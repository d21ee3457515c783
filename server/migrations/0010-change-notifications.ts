import { sql, type Kysely } from 'kysely';

/**
 * Notifications on commit for the rows that instances keep in memory (notified-cache.ts).
 *
 * `watchkeeper_services`: `<organization id>:<project id>` of an external service added, changed
 * or removed, so each instance drops that project's cached list.
 *
 * `watchkeeper_rights`: every change to who may do what sends a notification on `watchkeeper_rights`, from the database
 * itself, so no code path (a cascade from a deleted organization, a future route, a manual fix in
 * psql) can change rights without every instance's rights cache hearing of it. PostgreSQL delivers
 * the notification only once the transaction commits, and folds identical ones within it.
 *
 * Payloads: `user:<id>` (the user's row, or one of their memberships), `key:<secret hash>` (an API
 * key), `all` (a role or its permissions: their holders are not known without a query, and roles
 * change rarely). Changes to columns that grant nothing (last_used_at, password_changed_at…) are
 * left out, so routine writes do not empty the caches.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION watchkeeper_rights_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM pg_notify('watchkeeper_rights', 'user:' || OLD.id); END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER users_rights_changed AFTER UPDATE OF email, disabled_at, session_version OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION watchkeeper_rights_user_changed()`.execute(db);

  await sql`
    CREATE FUNCTION watchkeeper_rights_membership_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM pg_notify('watchkeeper_rights', 'user:' || OLD.user_id); END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM pg_notify('watchkeeper_rights', 'user:' || NEW.user_id); END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER memberships_rights_changed AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION watchkeeper_rights_membership_changed()`.execute(db);

  await sql`
    CREATE FUNCTION watchkeeper_rights_roles_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('watchkeeper_rights', 'all');
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER roles_rights_changed AFTER UPDATE OR DELETE ON roles
    FOR EACH STATEMENT EXECUTE FUNCTION watchkeeper_rights_roles_changed()`.execute(db);
  await sql`
    CREATE TRIGGER role_permissions_rights_changed AFTER INSERT OR UPDATE OR DELETE ON role_permissions
    FOR EACH STATEMENT EXECUTE FUNCTION watchkeeper_rights_roles_changed()`.execute(db);

  await sql`
    CREATE FUNCTION watchkeeper_rights_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('watchkeeper_rights', 'key:' || OLD.secret_hash);
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER api_keys_rights_changed
    AFTER UPDATE OF organization_id, project_id, created_by, scopes, expires_at, revoked_at, secret_hash OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION watchkeeper_rights_api_key_changed()`.execute(db);

  await sql`
    CREATE FUNCTION watchkeeper_services_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM pg_notify('watchkeeper_services', OLD.organization_id || ':' || OLD.project_id); END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM pg_notify('watchkeeper_services', NEW.organization_id || ':' || NEW.project_id); END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER external_services_changed AFTER INSERT OR UPDATE OR DELETE ON external_services
    FOR EACH ROW EXECUTE FUNCTION watchkeeper_services_changed()`.execute(db);
}
