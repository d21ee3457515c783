/**
 * storage: the on-disk size of a year of health history for 1,000 checks at 60 s. One day is
 * written at accelerated time through the real write path, the real retention job folds it into
 * buckets, PostgreSQL reports each table's size, and the year follows from the retention windows.
 */
import { tmpdir } from 'node:os';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { SYSTEM_SCOPE } from '../../contracts/tenancy.ts';
import { loadConfig } from '../../server/infra/config/index.ts';
import { migrateToLatest, type Database } from '../../server/infra/database/index.ts';
import { createBufferedRecorder } from '../../server/modules/health/history/buffered-recorder.ts';
import { createHealthHistoryRepository } from '../../server/modules/health/history/health-history-repository.ts';
import { runHealthRetention } from '../../server/modules/health/history/retention.ts';
import { createBenchDatabase } from '../lib/database.ts';
import { simulateHistory } from '../lib/history-simulation.ts';
import { relationSizes, type RelationSize } from '../lib/relation-sizes.ts';
import type { Metric, Scenario, Table } from '../lib/scenario.ts';
import { explainProjection, projectStorage, type HistoryTier, type StorageProjection } from '../lib/storage-projection.ts';

const TARGET_BYTES = 2e9;
const INTERVAL_MS = 60_000;
const HOUR_MS = 3_600_000;
const YEAR_DAYS = 365;
const TABLES = ['health_samples', 'health_events'] as const;
// A fixed day on 5-minute boundaries: the rows, and so the sizes, are the same from run to run.
const START = new Date('2026-01-05T00:00:00.000Z');

const mb = (bytes: number) => bytes / 1e6;

function sizeRows(stage: string, sizes: readonly RelationSize[]): (string | number)[][] {
  return sizes.map((size) => [
    stage,
    size.table,
    size.rows,
    mb(size.heapBytes),
    mb(size.toastBytes),
    mb(size.indexBytes),
    mb(size.totalBytes),
    size.rows ? size.totalBytes / size.rows : 0,
  ]);
}

const byName = (sizes: readonly RelationSize[], table: string) => sizes.find((size) => size.table === table)!;

export const storage: Scenario = {
  name: 'storage',
  description:
    'On-disk size of a year of health history for 1,000 checks at 60 s, from one day written at accelerated time plus the rollup and retention arithmetic',
  async run(context) {
    const checks = context.smoke ? 20 : 1_000;
    const hours = context.smoke ? 1 : 24;
    // The retention windows the server runs with by default (HEALTH_HISTORY_RAW_HOURS, _5M_DAYS, _1H_DAYS, _RETENTION_DAYS).
    const {
      historyRawHours: rawHours,
      history5mDays: fiveMinuteDays,
      history1hDays: hourlyDays,
      historyRetentionDays: retentionDays,
    } = loadConfig({
      env: {},
      cwd: tmpdir(),
    }).health;

    const database = await createBenchDatabase({ serverUrl: context.databaseUrl });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }) });
    try {
      await migrateToLatest(db as unknown as Kysely<unknown>);
      const recorder = createBufferedRecorder({ writer: createHealthHistoryRepository({ db }), logger: pino({ level: 'warn' }) });
      context.log(`storage: writing ${hours} h of history for ${checks} checks`);
      const written = await simulateHistory({ recorder, checks, intervalMs: INTERVAL_MS, start: START, durationMs: hours * HOUR_MS, scope: SYSTEM_SCOPE });
      await recorder.close();
      const raw = await relationSizes(db as unknown as Kysely<unknown>, TABLES);

      // The real job, run when the whole simulated stretch has aged past the raw window, then the
      // 5-minute and the hourly windows; kept a year meanwhile, so that nothing expires.
      const end = new Date(START.getTime() + hours * HOUR_MS);
      const retain = (after: number) =>
        runHealthRetention({ db, rawHours, fiveMinuteDays, hourlyDays, retentionDays: YEAR_DAYS, now: new Date(end.getTime() + after) });
      const sizes = () => relationSizes(db as unknown as Kysely<unknown>, TABLES);
      // Deleted rows leave free space that (auto)vacuum hands to the next rows written; the steady
      // state holds live rows only, which VACUUM FULL shows.
      const compact = async () => {
        for (const table of TABLES) await sql`VACUUM FULL ${sql.table(table)}`.execute(db);
        return sizes();
      };
      const toFiveMinutes = await retain(rawHours * HOUR_MS);
      const afterRetention = await sizes();
      const fiveMinutes = await compact();
      const toHours = await retain(fiveMinuteDays * 24 * HOUR_MS);
      const hourly = await compact();
      // A day later than the others: only whole days are folded, and a short (smoke) stretch ends mid-day.
      const toDays = await retain((hourlyDays + 1) * 24 * HOUR_MS);
      const daily = await sizes();

      const rawSamples = byName(raw, 'health_samples');
      const buckets = byName(fiveMinutes, 'health_samples');
      const hourBuckets = byName(hourly, 'health_samples');
      const dayBuckets = byName(daily, 'health_samples');
      const events = byName(hourly, 'health_events');
      const checkHours = checks * hours;
      const tier = (name: string, size: RelationSize, hoursKept: number): HistoryTier => ({
        name,
        rowsPerCheckHour: size.rows / checkHours,
        bytesPerRow: size.rows ? size.totalBytes / size.rows : 0,
        hoursKept,
      });
      const tiersFor = (keptDays: number): HistoryTier[] => [
        tier('raw samples', rawSamples, rawHours),
        tier('5-minute buckets', buckets, Math.min(fiveMinuteDays, keptDays) * 24 - rawHours),
        tier('hourly buckets', hourBuckets, Math.max(0, Math.min(hourlyDays, keptDays) - fiveMinuteDays) * 24),
        {
          name: 'daily buckets',
          // A stretch shorter than a day still makes one daily row per check.
          rowsPerCheckHour: dayBuckets.rows / (checks * Math.max(hours, 24)),
          // The same row as an hourly bucket; a thousand of them would be mostly page overhead.
          bytesPerRow: hourBuckets.totalBytes / hourBuckets.rows,
          hoursKept: Math.max(0, keptDays - hourlyDays) * 24,
        },
        tier('events', events, keptDays * 24),
      ];
      const defaults = projectStorage({ checks: 1_000, days: YEAR_DAYS, tiers: tiersFor(retentionDays) });
      const kept = projectStorage({ checks: 1_000, days: YEAR_DAYS, tiers: tiersFor(YEAR_DAYS) });

      const yearMetric = (label: string, projection: StorageProjection): Metric => ({
        label,
        value: projection.totalBytes / 1e9,
        unit: 'GB',
        target: '≤ 2 GB',
        pass: projection.totalBytes <= TARGET_BYTES,
      });
      const metrics: Metric[] = [
        { label: 'raw sample, bytes per row (table + indexes)', value: rawSamples.totalBytes / rawSamples.rows, unit: 'B' },
        { label: '5-minute bucket, bytes per row', value: buckets.totalBytes / buckets.rows, unit: 'B' },
        { label: 'hourly bucket, bytes per row', value: hourBuckets.totalBytes / hourBuckets.rows, unit: 'B' },
        { label: 'hourly buckets, bytes per sample summarised', value: hourBuckets.totalBytes / written.samples, unit: 'B' },
        { label: 'event, bytes per row', value: events.rows ? events.totalBytes / events.rows : 0, unit: 'B' },
        yearMetric(`a year, default retention (raw ${rawHours} h, 5-minute ${fiveMinuteDays} d, hourly ${hourlyDays} d, history ${retentionDays} d)`, defaults),
        yearMetric(`a year of history kept (HEALTH_HISTORY_RETENTION_DAYS=${YEAR_DAYS})`, kept),
      ];
      const tables: Table[] = [
        {
          title: `Measured tables (${checks} checks × ${hours} h; MB = 10⁶ bytes)`,
          columns: ['stage', 'table', 'rows', 'heap MB', 'TOAST MB', 'indexes MB', 'total MB', 'B/row'],
          rows: [
            ...sizeRows('after the day (raw)', raw),
            ...sizeRows('retention after the raw window', afterRetention),
            ...sizeRows('VACUUM FULL (5-minute)', fiveMinutes),
            ...sizeRows('retention after the 5-minute window, VACUUM FULL (hourly)', hourly),
            ...sizeRows('retention after the hourly window (daily)', daily),
          ],
        },
      ];
      const notes = [
        `Written: ${written.samples} samples and ${written.events} events through the buffered recorder and the history repository; retention folded ${toFiveMinutes.rawSamplesDownsampled} raw samples into ${toFiveMinutes.bucketsWritten} 5-minute buckets, then ${toHours.bucketsDownsampled} of those into ${toHours.hourlyBucketsWritten} hourly buckets and those into ${toDays.dailyBucketsWritten} daily buckets.`,
        `Default retention, a year: ${explainProjection(defaults, 1_000).join('; ')}; total ${(defaults.totalBytes / 1e9).toFixed(3)} GB (history older than ${retentionDays} d is deleted, so the year is the steady state).`,
        `History kept a year: ${explainProjection(kept, 1_000).join('; ')}; total ${(kept.totalBytes / 1e9).toFixed(3)} GB.`,
        'Bytes per row come from the compacted tables; a table that churns (raw rows deleted every 5 minutes) carries some free space and index slack on top, reused rather than grown.',
      ];
      if (context.smoke) notes.push('Smoke run: a small table is mostly page overhead, so its bytes per row overstate the real density.');
      return { name: 'storage', description: storage.description, rows: [], windows: [], metrics, tables, notes };
    } finally {
      await db.destroy();
      await database.drop();
    }
  },
};
