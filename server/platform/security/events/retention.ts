/**
 * Keeps security data bounded: events last seen before the retention period are deleted, and so
 * are the addresses an API key has not been used from within it. An address the key still uses
 * stays (its last_seen is bumped while in use), so the "new address" detector does not fire again
 * for it. Runs as an exclusive scheduled job, so one instance of a cluster does it.
 */
import { sql, type Kysely } from 'kysely';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { deleteInBatches, type Database } from '../../../infra/database/index.ts';
import type { Scheduler } from '../../scheduler/index.ts';

export const SECURITY_RETENTION_JOB = 'security-events-retention';

const DAY_MS = 24 * 3_600_000;

export interface SecurityRetentionOptions {
  db: Kysely<Database>;
  retentionDays: number;
  now?: Date;
  /** Rows deleted per statement, so a backlog is many short transactions rather than one long lock. */
  batchSize?: number;
}

export interface SecurityRetentionOutcome {
  eventsDeleted: number;
  apiKeyIpsDeleted: number;
}

export async function runSecurityRetention({
  db,
  retentionDays,
  now = new Date(),
  batchSize = 5_000,
}: SecurityRetentionOptions): Promise<SecurityRetentionOutcome> {
  const before = new Date(now.getTime() - retentionDays * DAY_MS);
  const eventsDeleted = await deleteInBatches(async () => {
    const result = await sql`
      DELETE FROM security_events WHERE id IN (SELECT id FROM security_events WHERE last_seen < ${before} LIMIT ${batchSize})
    `.execute(db);
    return Number(result.numAffectedRows ?? 0);
  }, batchSize);
  // last_seen >= first_seen, so "first seen before the cutoff and not used since" is last_seen < cutoff;
  // both are stated for the reader. SKIP LOCKED: a row a request is bumping right now is in use.
  const apiKeyIpsDeleted = await deleteInBatches(async () => {
    const result = await sql`
      DELETE FROM security_api_key_ips WHERE (api_key_id, ip) IN (
        SELECT api_key_id, ip FROM security_api_key_ips
        WHERE last_seen < ${before} AND first_seen < ${before}
        LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
      )
    `.execute(db);
    return Number(result.numAffectedRows ?? 0);
  }, batchSize);
  return { eventsDeleted, apiKeyIpsDeleted };
}

export interface ScheduleSecurityRetentionOptions {
  scheduler: Scheduler;
  db: Kysely<Database>;
  logger: Logger;
  retentionDays: number;
  intervalMs?: number;
}

export function scheduleSecurityRetention({ scheduler, db, logger, retentionDays, intervalMs = 3_600_000 }: ScheduleSecurityRetentionOptions): void {
  scheduler.every({ name: SECURITY_RETENTION_JOB, intervalMs, exclusive: true }, async () => {
    const outcome = await runSecurityRetention({ db, retentionDays });
    if (outcome.eventsDeleted > 0 || outcome.apiKeyIpsDeleted > 0) logger.info(outcome, 'security events retention');
  });
}
