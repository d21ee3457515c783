import { sql, type Kysely } from 'kysely';

/**
 * Hourly and daily buckets for older health history: the retention job folds 5-minute buckets
 * older than HEALTH_HISTORY_5M_DAYS into `1h` rows and those older than HEALTH_HISTORY_1H_DAYS
 * into `1d` rows, so the resolution column admits them. NOT VALID, then
 * VALIDATE: the check of existing rows runs without blocking the recorder's writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE health_samples DROP CONSTRAINT health_samples_resolution_check;
    ALTER TABLE health_samples ADD CONSTRAINT health_samples_resolution_check CHECK (resolution IN ('raw', '5m', '1h', '1d')) NOT VALID;
    ALTER TABLE health_samples VALIDATE CONSTRAINT health_samples_resolution_check;
  `.execute(db);
}
