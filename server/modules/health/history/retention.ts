/**
 * Keeps health history bounded: raw samples older than `rawHours` are folded into one row per
 * component and 5-minute bucket, and samples and events older than `retentionDays` are deleted.
 * Runs as an exclusive scheduled job, so one instance of a cluster does it.
 */
import { sql, type Kysely } from 'kysely';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { deleteInBatches, type Database } from '../../../infra/database/index.ts';
import type { Scheduler } from '../../../platform/scheduler/index.ts';

export const HEALTH_RETENTION_JOB = 'health-history-retention';

const BUCKET_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface RetentionOptions {
  db: Kysely<Database>;
  rawHours: number;
  retentionDays: number;
  now?: Date;
  /** Raw history folded per statement, so a backlog (after downtime) is not one huge transaction. */
  sliceHours?: number;
  /** Rows deleted per statement, for the same reason. */
  deleteBatchSize?: number;
}

export interface RetentionOutcome {
  samplesDeleted: number;
  eventsDeleted: number;
  rawSamplesDownsampled: number;
  bucketsWritten: number;
}

function floorToBucket(time: number): Date {
  return new Date(Math.floor(time / BUCKET_MS) * BUCKET_MS);
}

async function deleteExpired(db: Kysely<Database>, before: Date, batchSize: number): Promise<Pick<RetentionOutcome, 'samplesDeleted' | 'eventsDeleted'>> {
  let samplesDeleted = 0;
  // One resolution at a time, so each statement walks the (resolution, checked_at) index.
  for (const resolution of ['raw', '5m'] as const) {
    samplesDeleted += await deleteInBatches(async () => {
      const result = await sql`
        DELETE FROM health_samples WHERE id IN (
          SELECT id FROM health_samples WHERE resolution = ${resolution} AND checked_at < ${before} LIMIT ${batchSize}
        )
      `.execute(db);
      return Number(result.numAffectedRows ?? 0);
    }, batchSize);
  }
  const eventsDeleted = await deleteInBatches(async () => {
    const result = await sql`
      DELETE FROM health_events WHERE id IN (SELECT id FROM health_events WHERE occurred_at < ${before} LIMIT ${batchSize})
    `.execute(db);
    return Number(result.numAffectedRows ?? 0);
  }, batchSize);
  return { samplesDeleted, eventsDeleted };
}

/**
 * Folds raw samples in [start, end) into 5-minute buckets. One statement: the DELETE's RETURNING
 * feeds the INSERT, so the rows removed are exactly the rows summarised — atomic, and a sample
 * written concurrently is either in a bucket or still raw, never lost. A late raw sample for an
 * already folded period becomes a second bucket row for it, which the readers sum correctly.
 */
async function downsampleSlice(db: Kysely<Database>, start: Date, end: Date): Promise<{ moved: number; buckets: number }> {
  const { rows } = await sql<{ moved: string; buckets: string }>`
    WITH moved AS (
      DELETE FROM health_samples
      WHERE resolution = 'raw' AND checked_at >= ${start} AND checked_at < ${end}
      RETURNING organization_id, project_id, component, status, latency_ms, output, checked_at,
                to_timestamp(floor(extract(epoch FROM checked_at) / 300) * 300) AS bucket
    ),
    buckets AS (
      INSERT INTO health_samples (organization_id, project_id, component, status, latency_ms, resolution, sample_count,
                                  pass_count, warn_count, fail_count, latency_p95_ms, latency_max_ms, output, checked_at)
      SELECT organization_id, project_id, component,
             CASE WHEN bool_or(status = 'fail') THEN 'fail' WHEN bool_or(status = 'warn') THEN 'warn' ELSE 'pass' END,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms),
             '5m',
             count(*),
             count(*) FILTER (WHERE status = 'pass'),
             count(*) FILTER (WHERE status = 'warn'),
             count(*) FILTER (WHERE status = 'fail'),
             percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms),
             max(latency_ms),
             -- The latest explanation of trouble in the bucket says more than the last "ok".
             (array_agg(output ORDER BY checked_at DESC) FILTER (WHERE status <> 'pass' AND output IS NOT NULL))[1],
             bucket
      FROM moved
      GROUP BY organization_id, project_id, component, bucket
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM buckets) AS buckets
  `.execute(db);
  return { moved: Number(rows[0]?.moved ?? 0), buckets: Number(rows[0]?.buckets ?? 0) };
}

async function oldestRawSample(db: Kysely<Database>, before: Date): Promise<Date | undefined> {
  const { rows } = await sql<{ oldest: Date | null }>`
    SELECT min(checked_at) AS oldest FROM health_samples WHERE resolution = 'raw' AND checked_at < ${before}
  `.execute(db);
  return rows[0]?.oldest ?? undefined;
}

async function downsample(db: Kysely<Database>, before: Date, sliceHours: number): Promise<Pick<RetentionOutcome, 'rawSamplesDownsampled' | 'bucketsWritten'>> {
  let rawSamplesDownsampled = 0;
  let bucketsWritten = 0;
  // Each slice starts at the oldest raw sample left (skipping quiet stretches) on a bucket
  // boundary, and spans whole buckets, so no bucket is split between two slices.
  for (let oldest = await oldestRawSample(db, before); oldest; oldest = await oldestRawSample(db, before)) {
    const start = floorToBucket(oldest.getTime());
    const end = new Date(Math.min(start.getTime() + Math.max(sliceHours * HOUR_MS, BUCKET_MS), before.getTime()));
    const { moved, buckets } = await downsampleSlice(db, start, end);
    rawSamplesDownsampled += moved;
    bucketsWritten += buckets;
  }
  return { rawSamplesDownsampled, bucketsWritten };
}

export async function runHealthRetention({
  db,
  rawHours,
  retentionDays,
  now = new Date(),
  sliceHours = 1,
  deleteBatchSize = 10_000,
}: RetentionOptions): Promise<RetentionOutcome> {
  // Expired rows go first: folding raw samples that are about to be deleted would be wasted work.
  const deleted = await deleteExpired(db, new Date(now.getTime() - retentionDays * DAY_MS), deleteBatchSize);
  // Only whole buckets are folded: a bucket straddling the cutoff waits for the next run.
  const folded = await downsample(db, floorToBucket(now.getTime() - rawHours * HOUR_MS), sliceHours);
  return { ...deleted, ...folded };
}

export interface ScheduleRetentionOptions {
  scheduler: Scheduler;
  db: Kysely<Database>;
  logger: Logger;
  rawHours: number;
  retentionDays: number;
  intervalMs?: number;
}

export function scheduleHealthRetention({ scheduler, db, logger, rawHours, retentionDays, intervalMs = 5 * 60_000 }: ScheduleRetentionOptions): void {
  scheduler.every({ name: HEALTH_RETENTION_JOB, intervalMs, exclusive: true }, async () => {
    const outcome = await runHealthRetention({ db, rawHours, retentionDays });
    if (Object.values(outcome).some((count) => count > 0)) logger.info(outcome, 'health history retention');
  });
}
