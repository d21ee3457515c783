import { sql, type Kysely } from 'kysely';

/**
 * Security retention: when an API key was last used from each address, so the retention job can
 * drop addresses a key no longer uses while keeping the ones it does (otherwise the "new address"
 * detector would fire again for them), and last_seen indexes for the job's deletes.
 *
 * Existing rows take the migration's time as last_seen rather than first_seen: a key still in use
 * from an old address must not look abandoned (and its address new again) right after upgrading.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE security_api_key_ips ADD COLUMN last_seen timestamptz NOT NULL DEFAULT now();
    CREATE INDEX security_api_key_ips_last_seen ON security_api_key_ips (last_seen);
    CREATE INDEX security_events_last_seen ON security_events (last_seen);
  `.execute(db);
}
