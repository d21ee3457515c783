import { sql, type Kysely } from 'kysely';

/**
 * A counter per user, raised in the same transaction as every change that ends or re-rights one of
 * the user's sessions (sign-out, rotation, disabling, a privilege change). Each cached session
 * carries the value it was read with from the database; authentication reads the user's row on
 * every request anyway, so a cached copy whose value is behind is checked against `sessions` before
 * it counts. A session ended while the cache could not be told (Redis down or frozen) therefore
 * stays ended when the cache comes back with the old entry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0`.execute(db);
}
