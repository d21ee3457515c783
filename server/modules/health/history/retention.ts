/**
 * Keeps health history bounded: raw samples older than `rawHours` are folded into one row per
 * component and 5-minute bucket, 5-minute buckets older than `fiveMinuteDays` into one row per
 * component and hour, hourly ones older than `hourlyDays` into one per component and (UTC) day,
 * and samples and events older than `retentionDays` are deleted. Runs as an exclusive scheduled
 * job, so one instance of a cluster does it.
 *
 * Why the wider buckets: at 60 s a check adds 288 five-minute rows a day, and with its indexes a
 * row takes ~265 bytes, so 30 days of 1,000 checks came to ~2.7 GB, and a year to ~29 GB (bench
 * scenario `storage`). Hours, then days, for the older history are 12 and 288 times fewer rows.
 */
import { sql, type Kysely } from 'kysely';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { deleteInBatches, type Database } from '../../../infra/database/index.ts';
import type { Scheduler } from '../../../platform/scheduler/index.ts';

export const HEALTH_RETENTION_JOB = 'health-history-retention';

const BUCKET_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
const RESOLUTIONS = ['raw', '5m', '1h', '1d'] as const;
const DAY_MS = 24 * HOUR_MS;

export interface RetentionOptions {
  db: Kysely<Database>;
  rawHours: number;
  /** 5-minute buckets older than this are folded into hourly buckets. */
  fiveMinuteDays?: number;
  /** Hourly buckets older than this are folded into daily buckets. */
  hourlyDays?: number;
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
  /** 5-minute buckets folded into hourly ones, and the hourly rows written for them. */
  bucketsDownsampled: number;
  hourlyBucketsWritten: number;
  /** Hourly buckets folded into daily ones, and the daily rows written for them. */
  hourlyBucketsDownsampled: number;
  dailyBucketsWritten: number;
}

function floorTo(time: number, widthMs: number): Date {
  return new Date(Math.floor(time / widthMs) * widthMs);
}

const floorToBucket = (time: number) => floorTo(time, BUCKET_MS);

async function deleteExpired(db: Kysely<Database>, before: Date, batchSize: number): Promise<Pick<RetentionOutcome, 'samplesDeleted' | 'eventsDeleted'>> {
  let samplesDeleted = 0;
  // One resolution at a time, so each statement walks the (resolution, checked_at) index.
  for (const resolution of RESOLUTIONS) {
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

/**
 * Folds buckets of one resolution in [start, end) into wider ones (5-minute into hourly, hourly
 * into daily), the same way: one statement, and late rows become a second row. A wide bucket
 * keeps the median of its buckets' medians, and the highest of their p95s and maxima: like the
 * readers' estimate, it errs towards slower.
 */
async function foldBucketsSlice(
  db: Kysely<Database>,
  { from, to, widthMs }: { from: '5m' | '1h'; to: '1h' | '1d'; widthMs: number },
  start: Date,
  end: Date,
): Promise<{ moved: number; buckets: number }> {
  const widthSeconds = widthMs / 1000;
  const { rows } = await sql<{ moved: string; buckets: string }>`
    WITH moved AS (
      DELETE FROM health_samples
      WHERE resolution = ${from} AND checked_at >= ${start} AND checked_at < ${end}
      RETURNING organization_id, project_id, component, status, latency_ms, sample_count, pass_count, warn_count, fail_count,
                latency_p95_ms, latency_max_ms, output, checked_at,
                to_timestamp(floor(extract(epoch FROM checked_at) / ${widthSeconds}) * ${widthSeconds}) AS bucket
    ),
    buckets AS (
      INSERT INTO health_samples (organization_id, project_id, component, status, latency_ms, resolution, sample_count,
                                  pass_count, warn_count, fail_count, latency_p95_ms, latency_max_ms, output, checked_at)
      SELECT organization_id, project_id, component,
             CASE WHEN bool_or(status = 'fail') THEN 'fail' WHEN bool_or(status = 'warn') THEN 'warn' ELSE 'pass' END,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms),
             ${to}::text,
             sum(sample_count),
             sum(pass_count),
             sum(warn_count),
             sum(fail_count),
             max(latency_p95_ms),
             max(latency_max_ms),
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

async function oldestSample(db: Kysely<Database>, resolution: 'raw' | '5m' | '1h', before: Date): Promise<Date | undefined> {
  const { rows } = await sql<{ oldest: Date | null }>`
    SELECT min(checked_at) AS oldest FROM health_samples WHERE resolution = ${resolution} AND checked_at < ${before}
  `.execute(db);
  return rows[0]?.oldest ?? undefined;
}

interface Fold {
  from: 'raw' | '5m' | '1h';
  /** The width of the buckets written. */
  widthMs: number;
  slice: (db: Kysely<Database>, start: Date, end: Date) => Promise<{ moved: number; buckets: number }>;
}

const RAW_TO_5M: Fold = { from: 'raw', widthMs: BUCKET_MS, slice: downsampleSlice };
const FIVE_MINUTES_TO_1H: Fold = {
  from: '5m',
  widthMs: HOUR_MS,
  slice: (db, start, end) => foldBucketsSlice(db, { from: '5m', to: '1h', widthMs: HOUR_MS }, start, end),
};
const HOURS_TO_1D: Fold = {
  from: '1h',
  widthMs: DAY_MS,
  slice: (db, start, end) => foldBucketsSlice(db, { from: '1h', to: '1d', widthMs: DAY_MS }, start, end),
};

async function downsample(db: Kysely<Database>, fold: Fold, before: Date, sliceHours: number): Promise<{ moved: number; written: number }> {
  let moved = 0;
  let written = 0;
  // Each slice starts at the oldest row left (skipping quiet stretches) on a bucket boundary,
  // and spans whole buckets, so no bucket is split between two slices.
  for (let oldest = await oldestSample(db, fold.from, before); oldest; oldest = await oldestSample(db, fold.from, before)) {
    const start = floorTo(oldest.getTime(), fold.widthMs);
    const end = new Date(Math.min(start.getTime() + Math.max(sliceHours * HOUR_MS, fold.widthMs), before.getTime()));
    const outcome = await fold.slice(db, start, end);
    moved += outcome.moved;
    written += outcome.buckets;
  }
  return { moved, written };
}

export async function runHealthRetention({
  db,
  rawHours,
  fiveMinuteDays = 7,
  hourlyDays = 30,
  retentionDays,
  now = new Date(),
  sliceHours = 1,
  deleteBatchSize = 10_000,
}: RetentionOptions): Promise<RetentionOutcome> {
  // Expired rows go first: folding rows that are about to be deleted would be wasted work.
  const deleted = await deleteExpired(db, new Date(now.getTime() - retentionDays * DAY_MS), deleteBatchSize);
  // Only whole buckets are folded: a bucket straddling the cutoff waits for the next run.
  const raw = await downsample(db, RAW_TO_5M, floorToBucket(now.getTime() - rawHours * HOUR_MS), sliceHours);
  // An hour of 5-minute buckets is a fifth of the rows of an hour of raw samples at 60 s: a
  // longer slice keeps the statements about as large.
  const buckets = await downsample(db, FIVE_MINUTES_TO_1H, floorTo(now.getTime() - fiveMinuteDays * DAY_MS, HOUR_MS), sliceHours * 5);
  const hours = await downsample(db, HOURS_TO_1D, floorTo(now.getTime() - hourlyDays * DAY_MS, DAY_MS), sliceHours * 60);
  return {
    ...deleted,
    rawSamplesDownsampled: raw.moved,
    bucketsWritten: raw.written,
    bucketsDownsampled: buckets.moved,
    hourlyBucketsWritten: buckets.written,
    hourlyBucketsDownsampled: hours.moved,
    dailyBucketsWritten: hours.written,
  };
}

export interface ScheduleRetentionOptions {
  scheduler: Scheduler;
  db: Kysely<Database>;
  logger: Logger;
  rawHours: number;
  fiveMinuteDays?: number;
  hourlyDays?: number;
  retentionDays: number;
  intervalMs?: number;
}

export function scheduleHealthRetention({
  scheduler,
  db,
  logger,
  rawHours,
  fiveMinuteDays,
  hourlyDays,
  retentionDays,
  intervalMs = 5 * 60_000,
}: ScheduleRetentionOptions): void {
  scheduler.every({ name: HEALTH_RETENTION_JOB, intervalMs, exclusive: true }, async () => {
    const outcome = await runHealthRetention({ db, rawHours, fiveMinuteDays, hourlyDays, retentionDays });
    if (Object.values(outcome).some((count) => count > 0)) logger.info(outcome, 'health history retention');
  });
}
