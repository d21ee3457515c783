import type { Kysely } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthStatus } from '../../../../contracts/health.ts';
import { SYSTEM_ORGANIZATION_ID, SYSTEM_SCOPE } from '../../../../contracts/tenancy.ts';
import { createMigratedDatabase, type MigratedDatabase, type TestDatabase } from '../../../../test/helpers.ts';
import type { Database } from '../../../infra/database/index.ts';
import { SwitchablePool } from '../../../infra/database/switchable-pool.ts';
import { Scheduler } from '../../../platform/scheduler/index.ts';
import type { SampleRecord } from '../health-recorder.ts';
import { createHealthHistoryRepository, type HealthHistoryRepository } from './health-history-repository.ts';
import { HEALTH_RETENTION_JOB, runHealthRetention, scheduleHealthRetention } from './retention.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// A fixed clock on a bucket boundary; every row is placed relative to it.
const now = new Date('2025-06-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const system = { organizationId: SYSTEM_ORGANIZATION_ID };

function sample(component: string, status: HealthStatus, latencyMs: number, checkedAt: Date, output?: string): SampleRecord {
  return { component, scope: SYSTEM_SCOPE, status, latencyMs, output, checkedAt };
}

describe('health history retention', () => {
  let migrated: MigratedDatabase;
  let database: TestDatabase;
  let db: Kysely<Database>;
  let repository: HealthHistoryRepository;
  beforeAll(async () => {
    migrated = await createMigratedDatabase();
    ({ database, db } = migrated);
    repository = createHealthHistoryRepository({ db });
  });
  afterAll(async () => {
    await migrated?.close();
  });

  const rowsOf = (component: string) =>
    db.selectFrom('health_samples').selectAll().where('component', '=', component).orderBy('checked_at').orderBy('resolution').execute();
  const retain = () => runHealthRetention({ db, rawHours: 24, retentionDays: 30, now });

  it('folds raw samples older than the raw window into one 5-minute bucket per component', async () => {
    const bucketStart = ago(30 * HOUR);
    // Ten checks in one bucket: latencies 10..100 ms, one warning and one failure among them.
    const statuses: HealthStatus[] = ['pass', 'pass', 'pass', 'warn', 'pass', 'pass', 'fail', 'pass', 'pass', 'pass'];
    await repository.insertSamples(
      statuses.map((status, i) =>
        sample('folded', status, (i + 1) * 10, new Date(bucketStart.getTime() + i * 20_000), status === 'pass' ? 'ok' : `${status} ${i}`),
      ),
    );
    // And two in the next bucket.
    await repository.insertSamples([
      sample('folded', 'pass', 7, new Date(bucketStart.getTime() + 5 * MINUTE)),
      sample('folded', 'pass', 9, new Date(bucketStart.getTime() + 6 * MINUTE)),
    ]);

    await retain();

    const rows = await rowsOf('folded');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      resolution: '5m',
      checked_at: bucketStart,
      status: 'fail',
      sample_count: 10,
      pass_count: 8,
      warn_count: 1,
      fail_count: 1,
      latency_ms: 55,
      latency_max_ms: 100,
      output: 'fail 6',
    });
    expect(rows[0]?.latency_p95_ms).toBeCloseTo(95.5);
    expect(rows[1]).toMatchObject({ resolution: '5m', status: 'pass', sample_count: 2, pass_count: 2, latency_ms: 8, output: null });
  });

  it('leaves recent samples raw, and a bucket that straddles the cutoff until it is whole', async () => {
    // Two minutes later the raw window ends at 24 h ago + 2 min, inside the bucket that starts 24 h ago.
    const later = new Date(now.getTime() + 2 * MINUTE);
    await repository.insertSamples([
      sample('recent', 'pass', 1, ago(24 * HOUR + MINUTE)), // a whole bucket before the cutoff
      sample('recent', 'pass', 1, ago(24 * HOUR - MINUTE)), // older than 24 h at `later`, but its bucket is not whole
      sample('recent', 'pass', 1, ago(HOUR)),
    ]);
    await runHealthRetention({ db, rawHours: 24, retentionDays: 30, now: later });
    const rows = await rowsOf('recent');
    expect(rows.map((r) => r.resolution)).toEqual(['5m', 'raw', 'raw']);
  });

  it('keeps uptime and the number of checks when samples are folded', async () => {
    const statuses: HealthStatus[] = Array.from({ length: 60 }, (_, i) => (i % 10 === 0 ? 'fail' : i % 7 === 0 ? 'warn' : 'pass'));
    await repository.insertSamples(statuses.map((status, i) => sample('steady', status, 5 + (i % 13), new Date(ago(40 * HOUR).getTime() + i * 30_000))));
    const window = { scope: system, component: 'steady', from: ago(48 * HOUR), to: now };
    const [before] = await repository.queryStats(window);
    await retain();
    const [after] = await repository.queryStats(window);
    expect(before).toMatchObject({ samples: 60, latencyExact: true });
    expect(after).toMatchObject({ samples: 60, uptimePercent: before?.uptimePercent, latencyExact: false });
    expect((await rowsOf('steady')).every((r) => r.resolution === '5m')).toBe(true);
  });

  it('folds a backlog spanning many hours, and folding again changes nothing', async () => {
    await repository.insertSamples(Array.from({ length: 50 }, (_, i) => sample('backlog', 'pass', 1, ago(5 * DAY - i * 7 * MINUTE))));
    await retain();
    const folded = await rowsOf('backlog');
    expect(folded.every((r) => r.resolution === '5m')).toBe(true);
    expect(folded.reduce((sum, r) => sum + r.sample_count, 0)).toBe(50);
    await retain();
    expect(await rowsOf('backlog')).toEqual(folded);
  });

  it('folds 5-minute buckets older than fiveMinuteDays into one hourly bucket per component and hour', async () => {
    const hourStart = ago(8 * DAY);
    // One check a minute for an hour and five minutes: latencies 1..65 ms, a warning at minute 10
    // and a failure at minute 40; the last five minutes fall in the next hour.
    await repository.insertSamples(
      Array.from({ length: 65 }, (_, i) => {
        const status: HealthStatus = i === 40 ? 'fail' : i === 10 ? 'warn' : 'pass';
        return sample('hourly', status, i + 1, new Date(hourStart.getTime() + i * MINUTE), status === 'pass' ? undefined : `${status} at ${i}`);
      }),
    );
    const window = { scope: system, component: 'hourly', from: ago(9 * DAY), to: now };
    const [before] = await repository.queryStats(window);

    const outcome = await runHealthRetention({ db, rawHours: 24, fiveMinuteDays: 7, retentionDays: 30, now });

    const rows = await rowsOf('hourly');
    expect(rows.map((r) => [r.resolution, r.checked_at, r.sample_count])).toEqual([
      ['1h', hourStart, 60],
      ['1h', new Date(hourStart.getTime() + HOUR), 5],
    ]);
    expect(rows[0]).toMatchObject({ status: 'fail', pass_count: 58, warn_count: 1, fail_count: 1, latency_max_ms: 60, output: 'fail at 40' });
    // The median of the twelve buckets' medians (3, 8, … 58), and the highest of their p95s.
    expect(rows[0]?.latency_ms).toBeCloseTo(30.5);
    expect(rows[0]?.latency_p95_ms).toBeCloseTo(59.8);
    expect(outcome).toMatchObject({ bucketsDownsampled: 13, hourlyBucketsWritten: 2 });
    const [after] = await repository.queryStats(window);
    expect(after).toMatchObject({ samples: 65, uptimePercent: before?.uptimePercent, latencyExact: false });
  });

  it('folds hourly buckets older than hourlyDays into one daily bucket per component and UTC day', async () => {
    const day = new Date(Date.UTC(2025, 3, 20)); // 42 days before `now`
    // Every 10 minutes across the day from 22:00 to 02:00 the next: two days, one failure at 23:30.
    await repository.insertSamples(
      Array.from({ length: 24 }, (_, i) => {
        const checkedAt = new Date(day.getTime() + 22 * HOUR + i * 10 * MINUTE);
        return sample('daily', i === 9 ? 'fail' : 'pass', 10 + i, checkedAt, i === 9 ? 'down' : undefined);
      }),
    );
    const outcome = await runHealthRetention({ db, rawHours: 24, fiveMinuteDays: 7, hourlyDays: 30, retentionDays: 365, now });
    const rows = await rowsOf('daily');
    expect(rows.map((r) => [r.resolution, r.checked_at, r.sample_count, r.fail_count])).toEqual([
      ['1d', day, 12, 1],
      ['1d', new Date(day.getTime() + DAY), 12, 0],
    ]);
    expect(rows[0]).toMatchObject({ status: 'fail', latency_max_ms: 21, output: 'down' });
    expect(outcome).toMatchObject({ hourlyBucketsDownsampled: 4, dailyBucketsWritten: 2 });
  });

  it('keeps 5-minute buckets younger than fiveMinuteDays', async () => {
    await repository.insertSamples([sample('fine', 'pass', 1, ago(6 * DAY)), sample('fine', 'pass', 1, ago(8 * DAY))]);
    await runHealthRetention({ db, rawHours: 24, fiveMinuteDays: 7, retentionDays: 30, now });
    expect((await rowsOf('fine')).map((r) => r.resolution)).toEqual(['1h', '5m']);
  });

  it('deletes samples and events older than the retention period', async () => {
    await repository.insertSamples([sample('expiring', 'pass', 1, ago(31 * DAY)), sample('expiring', 'pass', 1, ago(29 * DAY))]);
    await repository.insertEvents([
      { component: 'expiring', scope: SYSTEM_SCOPE, kind: 'transition', from: 'pass', to: 'fail', occurredAt: ago(31 * DAY) },
      { component: 'expiring', scope: SYSTEM_SCOPE, kind: 'transition', from: 'fail', to: 'pass', occurredAt: ago(29 * DAY) },
    ]);
    const outcome = await retain();
    expect(outcome.samplesDeleted).toBeGreaterThanOrEqual(1);
    expect(outcome.eventsDeleted).toBeGreaterThanOrEqual(1);
    const rows = await rowsOf('expiring');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.checked_at.getTime()).toBeGreaterThan(ago(30 * DAY).getTime());
    const events = await db.selectFrom('health_events').select('occurred_at').where('component', '=', 'expiring').execute();
    expect(events.map((e) => e.occurred_at)).toEqual([ago(29 * DAY)]);
  });

  it('runs as an exclusive scheduled job', async () => {
    const pool = new SwitchablePool({ connectionString: database.url, max: 2 }, () => undefined);
    const scheduler = new Scheduler({ logger: pino({ level: 'silent' }), pool });
    try {
      // Real time here: the job reads the clock itself.
      await repository.insertSamples([sample('scheduled', 'pass', 1, new Date(Date.now() - 2 * DAY))]);
      scheduleHealthRetention({ scheduler, db, logger: pino({ level: 'silent' }), rawHours: 24, retentionDays: 30 });
      await scheduler.runNow(HEALTH_RETENTION_JOB);
      expect((await rowsOf('scheduled')).map((r) => r.resolution)).toEqual(['5m']);
    } finally {
      await scheduler.stop();
      await pool.end();
    }
  });
});
