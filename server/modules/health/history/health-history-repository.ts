/**
 * Data access for health history: the recorder's batched writes, and the reads behind
 * GET /health/history — a page of samples, per-component uptime and latency, state changes.
 */
import { sql, type Kysely } from 'kysely';
import type { HealthStatus } from '../../../../contracts/health.ts';
import type { Database } from '../../../infra/database/index.ts';
import type { HealthEventRecord, SampleRecord } from '../health-recorder.ts';
import { queryComponentStats, type ComponentStats } from './component-stats.ts';
import type { SampleCursor } from './history-cursor.ts';
import { scopeConditions, windowConditions, type HistoryScope, type HistoryWindow } from './history-window.ts';

export type { ComponentStats } from './component-stats.ts';
export type { HistoryScope, HistoryWindow } from './history-window.ts';

export interface StoredSample {
  id: string;
  component: string;
  status: HealthStatus;
  resolution: 'raw' | '5m' | '1h' | '1d';
  checkedAt: Date;
  latencyMs: number | null;
  sampleCount: number;
  passCount: number;
  warnCount: number;
  failCount: number;
  latencyP95Ms: number | null;
  latencyMaxMs: number | null;
  output: string | null;
}

export interface SamplePage {
  samples: StoredSample[];
  /** Where the next page starts; undefined on the last page. */
  next: SampleCursor | undefined;
}

export interface StoredEvent {
  id: string;
  component: string;
  kind: 'transition' | 'recovery';
  from: HealthStatus | null;
  to: HealthStatus | null;
  output: string | null;
  details: Record<string, unknown>;
  occurredAt: Date;
}

export interface EventList {
  /** Oldest first. */
  events: StoredEvent[];
  /** Components with more events of some kind in the window than `perComponent`. */
  truncated: Set<string>;
}

// Outputs can be whole error pages; history keeps the gist.
const OUTPUT_MAX_CHARS = 1000;

/** PostgreSQL text cannot hold NUL, and a probe may echo anything a dependency said. */
function cleanText(text: string | undefined): string | null {
  if (text === undefined) return null;
  return text.replaceAll('\0', '').slice(0, OUTPUT_MAX_CHARS);
}

function cleanDetails(details: Record<string, unknown> | undefined): string {
  return JSON.stringify(details ?? {}, (_key, value: unknown) => (typeof value === 'string' ? value.replaceAll('\0', '') : value));
}

function finiteOrNull(value: number | undefined | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export interface HealthHistoryRepositoryOptions {
  /** The app's Kysely handle, or a transaction to write within. */
  db: Kysely<Database>;
}

export type HealthHistoryRepository = ReturnType<typeof createHealthHistoryRepository>;

export function createHealthHistoryRepository({ db }: HealthHistoryRepositoryOptions) {
  return {
    /** One multi-row INSERT; keep batches to a few thousand rows (65,535 bind parameters). */
    async insertSamples(batch: readonly SampleRecord[]): Promise<void> {
      if (batch.length === 0) return;
      await db
        .insertInto('health_samples')
        .values(
          batch.map((s) => ({
            organization_id: s.scope.organizationId,
            project_id: s.scope.projectId,
            component: s.component,
            status: s.status,
            latency_ms: finiteOrNull(s.latencyMs),
            resolution: 'raw' as const,
            // Raw rows carry their counts too, so uptime sums one way over raw rows and buckets.
            sample_count: 1,
            pass_count: s.status === 'pass' ? 1 : 0,
            warn_count: s.status === 'warn' ? 1 : 0,
            fail_count: s.status === 'fail' ? 1 : 0,
            output: cleanText(s.output),
            checked_at: s.checkedAt,
          })),
        )
        .execute();
    },

    async insertEvents(batch: readonly HealthEventRecord[]): Promise<void> {
      if (batch.length === 0) return;
      await db
        .insertInto('health_events')
        .values(
          batch.map((e) => ({
            organization_id: e.scope.organizationId,
            project_id: e.scope.projectId,
            component: e.component,
            kind: e.kind,
            from_status: e.from ?? null,
            to_status: e.to ?? null,
            output: cleanText(e.output),
            details: cleanDetails(e.details),
            occurred_at: e.occurredAt,
          })),
        )
        .execute();
    },

    /** A page of samples in the window, oldest first, starting after `after`. */
    async querySamples(window: HistoryWindow, { limit, after }: { limit: number; after?: SampleCursor | undefined }): Promise<SamplePage> {
      const { rows } = await sql<{
        id: string;
        component: string;
        status: HealthStatus;
        resolution: 'raw' | '5m' | '1h' | '1d';
        checked_at: Date;
        position: string;
        latency_ms: number | null;
        sample_count: number;
        pass_count: number;
        warn_count: number;
        fail_count: number;
        latency_p95_ms: number | null;
        latency_max_ms: number | null;
        output: string | null;
      }>`
        SELECT id, component, status, resolution, checked_at,
               to_char(checked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position,
               latency_ms, sample_count, pass_count, warn_count, fail_count, latency_p95_ms, latency_max_ms, output
        FROM health_samples
        WHERE ${windowConditions(window, 'checked_at')}
          ${after ? sql`AND (checked_at, id) > (${after.checkedAt}::timestamptz, ${after.id}::bigint)` : sql``}
        ORDER BY checked_at, id
        LIMIT ${limit + 1}
      `.execute(db);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        samples: page.map((r) => ({
          id: r.id,
          component: r.component,
          status: r.status,
          resolution: r.resolution,
          checkedAt: r.checked_at,
          latencyMs: r.latency_ms,
          sampleCount: r.sample_count,
          passCount: r.pass_count,
          warnCount: r.warn_count,
          failCount: r.fail_count,
          latencyP95Ms: r.latency_p95_ms,
          latencyMaxMs: r.latency_max_ms,
          output: r.output,
        })),
        next: rows.length > limit && last ? { checkedAt: last.position, id: last.id } : undefined,
      };
    },

    /** Uptime and latency percentiles per component with samples in the window (see component-stats.ts). */
    queryStats: (window: HistoryWindow): Promise<ComponentStats[]> => queryComponentStats(db, window),

    /** State changes and recovery actions in the window: the newest `perComponent` of each kind. */
    async queryEvents(window: HistoryWindow, { perComponent }: { perComponent: number }): Promise<EventList> {
      const { rows } = await sql<{
        id: string;
        component: string;
        kind: 'transition' | 'recovery';
        from_status: HealthStatus | null;
        to_status: HealthStatus | null;
        output: string | null;
        details: Record<string, unknown>;
        occurred_at: Date;
        rank: string;
      }>`
        SELECT * FROM (
          SELECT id, component, kind, from_status, to_status, output, details, occurred_at,
                 row_number() OVER (PARTITION BY component, kind ORDER BY occurred_at DESC, id DESC) AS rank
          FROM health_events
          WHERE ${windowConditions(window, 'occurred_at')}
        ) ranked
        WHERE rank <= ${perComponent + 1}
        ORDER BY component, occurred_at, id
      `.execute(db);
      const truncated = new Set<string>();
      const events: StoredEvent[] = [];
      for (const r of rows) {
        // The one row past the limit only tells that there are more.
        if (Number(r.rank) > perComponent) {
          truncated.add(r.component);
          continue;
        }
        events.push({
          id: r.id,
          component: r.component,
          kind: r.kind,
          from: r.from_status,
          to: r.to_status,
          output: r.output,
          details: r.details,
          occurredAt: r.occurred_at,
        });
      }
      return { events, truncated };
    },

    /** Whether anything was ever stored for the component in the scope (at any time). */
    async hasHistory(scope: HistoryScope, component: string): Promise<boolean> {
      const where = sql.join(scopeConditions(scope, component), sql` AND `);
      const { rows } = await sql<{ known: boolean }>`
        SELECT EXISTS (SELECT 1 FROM health_samples WHERE ${where}) OR EXISTS (SELECT 1 FROM health_events WHERE ${where}) AS known
      `.execute(db);
      return rows[0]?.known ?? false;
    },
  };
}
