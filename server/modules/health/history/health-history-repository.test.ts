import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthStatus } from '../../../../contracts/health.ts';
import { SYSTEM_ORGANIZATION_ID, SYSTEM_SCOPE } from '../../../../contracts/tenancy.ts';
import { createMigratedDatabase, type MigratedDatabase } from '../../../../test/helpers.ts';
import type { Database } from '../../../infra/database/index.ts';
import type { SampleRecord } from '../health-recorder.ts';
import { createHealthHistoryRepository, type HealthHistoryRepository, type HistoryWindow } from './health-history-repository.ts';

const HOUR = 3_600_000;
const now = Date.now();
const system = { organizationId: SYSTEM_ORGANIZATION_ID };

function sample(component: string, status: HealthStatus, latencyMs: number | undefined, at: number, scope = SYSTEM_SCOPE): SampleRecord {
  return { component, scope, status, latencyMs, output: undefined, checkedAt: new Date(at) };
}

function lastHours(component: string | undefined, hours = 2, scope = system): HistoryWindow {
  return { scope, component, from: new Date(now - hours * HOUR), to: new Date(now) };
}

describe('health history repository', () => {
  let migrated: MigratedDatabase;
  let db: Kysely<Database>;
  let repository: HealthHistoryRepository;
  beforeAll(async () => {
    migrated = await createMigratedDatabase();
    ({ db } = migrated);
    repository = createHealthHistoryRepository({ db });
  });
  afterAll(async () => {
    await migrated?.close();
  });

  /** A stored 5-minute bucket, as retention writes it. */
  async function insertBucket(
    component: string,
    at: number,
    counts: { pass: number; warn?: number; fail?: number },
    latency: { p50: number; p95: number; max: number },
  ) {
    const { pass, warn = 0, fail = 0 } = counts;
    await db
      .insertInto('health_samples')
      .values({
        organization_id: SYSTEM_SCOPE.organizationId,
        project_id: SYSTEM_SCOPE.projectId,
        component,
        status: fail ? 'fail' : warn ? 'warn' : 'pass',
        resolution: '5m',
        sample_count: pass + warn + fail,
        pass_count: pass,
        warn_count: warn,
        fail_count: fail,
        latency_ms: latency.p50,
        latency_p95_ms: latency.p95,
        latency_max_ms: latency.max,
        checked_at: new Date(at),
      })
      .execute();
  }

  it('counts passing and warning checks as up', async () => {
    const statuses: HealthStatus[] = ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'warn', 'warn', 'fail'];
    await repository.insertSamples(statuses.map((status, i) => sample('uptime', status, 5, now - HOUR + i * 1000)));
    const [stats] = await repository.queryStats(lastHours('uptime'));
    expect(stats).toMatchObject({ component: 'uptime', samples: 10, uptimePercent: 90 });
  });

  it('never rounds a window with a failure up to 100 %', async () => {
    await insertBucket('nines', now - HOUR, { pass: 999_999, fail: 1 }, { p50: 1, p95: 1, max: 1 });
    const [stats] = await repository.queryStats(lastHours('nines'));
    expect(stats?.uptimePercent).toBe(99.999);
  });

  it('reports exact latency percentiles while the window holds raw samples only', async () => {
    await repository.insertSamples(Array.from({ length: 100 }, (_, i) => sample('exact', 'pass', i + 1, now - HOUR + i * 1000)));
    const [stats] = await repository.queryStats(lastHours('exact'));
    // percentile_cont interpolates: the median of 1..100 is 50.5.
    expect(stats).toMatchObject({ latencyExact: true, latencyMs: { p50: 50.5, p95: 95.05, p99: 99.01 } });
  });

  it("estimates percentiles from a bucket's p50, p95 and max once the window reaches into buckets", async () => {
    await insertBucket('bucketed', now - HOUR, { pass: 100 }, { p50: 10, p95: 50, max: 200 });
    const [stats] = await repository.queryStats(lastHours('bucketed'));
    expect(stats).toMatchObject({ samples: 100, latencyExact: false, latencyMs: { p50: 10, p95: 50, p99: 200 } });
  });

  it('weighs a bucket by the checks it summarises, next to raw samples', async () => {
    await insertBucket('mixed', now - HOUR, { pass: 8, warn: 1, fail: 1 }, { p50: 10, p95: 20, max: 30 });
    await repository.insertSamples(Array.from({ length: 10 }, (_, i) => sample('mixed', 'pass', 1000, now - HOUR / 2 + i)));
    const [stats] = await repository.queryStats(lastHours('mixed'));
    // 9 of the bucket's 10 checks were up, and all 10 raw ones: 19 of 20.
    expect(stats).toMatchObject({ samples: 20, uptimePercent: 95, latencyExact: false });
    // Half the checks (the raw ones) took 1000 ms, so the median sits between the halves.
    expect(stats?.latencyMs.p95).toBe(1000);
    expect(stats?.latencyMs.p50).toBeLessThanOrEqual(1000);
  });

  it('reads only the rows of the given scope', async () => {
    const other = { organizationId: randomUUID(), projectId: randomUUID() };
    await repository.insertSamples([sample('tenant', 'fail', 1, now - HOUR, other), sample('tenant', 'pass', 1, now - HOUR, SYSTEM_SCOPE)]);
    const [stats] = await repository.queryStats(lastHours('tenant'));
    expect(stats).toMatchObject({ samples: 1, uptimePercent: 100 });
    expect(await repository.hasHistory({ organizationId: other.organizationId }, 'tenant')).toBe(true);
    expect(await repository.hasHistory({ organizationId: randomUUID() }, 'tenant')).toBe(false);
    const page = await repository.querySamples(lastHours('tenant', 2, { organizationId: other.organizationId }), { limit: 10 });
    expect(page.samples.map((s) => s.status)).toEqual(['fail']);
  });

  it('pages through samples oldest first, each exactly once, ties broken by id', async () => {
    // Three samples share every timestamp, so the cursor cannot rely on time alone.
    await repository.insertSamples(Array.from({ length: 30 }, (_, i) => sample('paged', 'pass', i, now - HOUR + Math.floor(i / 3) * 1000)));
    const seen: string[] = [];
    let after;
    do {
      const page = await repository.querySamples(lastHours('paged'), { limit: 7, after });
      seen.push(...page.samples.map((s) => s.id));
      after = page.next;
    } while (after);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });

  it('lists state changes oldest first and keeps the newest when there are too many', async () => {
    const at = (i: number) => new Date(now - HOUR + i * 1000);
    await repository.insertEvents(
      Array.from({ length: 5 }, (_, i) => ({
        component: 'flapping',
        scope: SYSTEM_SCOPE,
        kind: 'transition' as const,
        from: i % 2 ? 'fail' : 'pass',
        to: i % 2 ? 'pass' : 'fail',
        output: `change ${i}`,
        occurredAt: at(i),
      })),
    );
    await repository.insertEvents([
      {
        component: 'flapping',
        scope: SYSTEM_SCOPE,
        kind: 'recovery',
        output: 'reconnected',
        details: { action: 'reconnect', outcome: 'succeeded' },
        occurredAt: at(9),
      },
    ]);
    const { events, truncated } = await repository.queryEvents(lastHours('flapping'), { perComponent: 3 });
    expect(events.filter((e) => e.kind === 'transition').map((e) => e.output)).toEqual(['change 2', 'change 3', 'change 4']);
    expect(events.find((e) => e.kind === 'recovery')).toMatchObject({ details: { action: 'reconnect', outcome: 'succeeded' } });
    expect(truncated).toEqual(new Set(['flapping']));
  });

  it('stores output the database could not hold verbatim (NUL bytes, megabytes)', async () => {
    await repository.insertSamples([{ ...sample('noisy', 'fail', 1, now - HOUR), output: `bad\0byte${'x'.repeat(100_000)}` }]);
    await repository.insertEvents([
      { component: 'noisy', scope: SYSTEM_SCOPE, kind: 'recovery', output: 'a\0b', details: { detail: 'c\0d' }, occurredAt: new Date(now - HOUR) },
    ]);
    const { samples } = await repository.querySamples(lastHours('noisy'), { limit: 1 });
    expect(samples[0]?.output?.startsWith('badbytexxx')).toBe(true);
    expect(samples[0]?.output?.length).toBeLessThanOrEqual(1000);
    const { events } = await repository.queryEvents(lastHours('noisy'), { perComponent: 10 });
    expect(events[0]).toMatchObject({ output: 'ab', details: { detail: 'cd' } });
  });

  it('writes within a transaction it is given', async () => {
    await db
      .transaction()
      .execute(async (trx) => {
        await createHealthHistoryRepository({ db: trx }).insertSamples([sample('rolled-back', 'pass', 1, now - HOUR)]);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await repository.hasHistory(system, 'rolled-back')).toBe(false);
  });
});
