/**
 * Per-component uptime and latency percentiles over a window of health history.
 *
 * Latency percentiles are exact (`percentile_cont`) while a window holds only raw samples. Once it
 * reaches into buckets (5-minute, or hourly further back), which keep only p50, p95 and max, they are estimated: each bucket
 * of n checks stands for 0.5·n checks at its p50, 0.45·n at its p95 and 0.05·n at its max, and
 * raw samples count one each. The weighted nearest-rank percentile over those points reproduces a
 * lone bucket's own p50 and p95, and reports its max as p99; across buckets every band is
 * represented by its upper edge, so the estimate errs towards slower, never flattering a slowdown.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../infra/database/index.ts';
import { windowConditions, type HistoryWindow } from './history-window.ts';

export interface ComponentStats {
  component: string;
  /** Checks in the window; a bucket counts every check it summarises. */
  samples: number;
  uptimePercent: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  latencyExact: boolean;
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}

/** Rounded down, so a window with one failure never shows as 100 %. */
function uptimePercent(up: number, total: number): number | null {
  return total > 0 ? Math.floor((up / total) * 100_000) / 1000 : null;
}

/** Uptime and latency percentiles per component with samples in the window. */
export async function queryComponentStats(db: Kysely<Database>, window: HistoryWindow): Promise<ComponentStats[]> {
  const { rows } = await sql<{
    component: string;
    samples: string;
    up: string;
    downsampled: boolean;
    exact: Array<number | null> | null;
    p50: number | null;
    p95: number | null;
    p99: number | null;
  }>`
    WITH windowed AS (
      SELECT component, resolution, sample_count, pass_count, warn_count, latency_ms, latency_p95_ms, latency_max_ms
      FROM health_samples
      WHERE ${windowConditions(window, 'checked_at')}
    ),
    totals AS (
      SELECT component,
             sum(sample_count) AS samples,
             sum(pass_count + warn_count) AS up,
             bool_or(resolution <> 'raw') AS downsampled,
             percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE resolution = 'raw') AS exact
      FROM windowed
      GROUP BY component
    ),
    -- Integer weights (20 per check) keep the rank comparisons below exact.
    points AS (
      SELECT component, latency_ms AS value, 20::bigint AS weight FROM windowed WHERE resolution = 'raw' AND latency_ms IS NOT NULL
      UNION ALL
      SELECT component, latency_ms, 10::bigint * sample_count FROM windowed WHERE resolution <> 'raw' AND latency_ms IS NOT NULL
      UNION ALL
      SELECT component, coalesce(latency_p95_ms, latency_ms), 9::bigint * sample_count FROM windowed WHERE resolution <> 'raw' AND latency_ms IS NOT NULL
      UNION ALL
      SELECT component, coalesce(latency_max_ms, latency_p95_ms, latency_ms), 1::bigint * sample_count FROM windowed WHERE resolution <> 'raw' AND latency_ms IS NOT NULL
    ),
    ranked AS (
      SELECT component, value,
             sum(weight) OVER (PARTITION BY component ORDER BY value ROWS UNBOUNDED PRECEDING) AS running,
             sum(weight) OVER (PARTITION BY component) AS total
      FROM points
      WHERE component IN (SELECT component FROM totals WHERE downsampled)
    ),
    estimated AS (
      SELECT component,
             min(value) FILTER (WHERE running * 100 >= total * 50) AS p50,
             min(value) FILTER (WHERE running * 100 >= total * 95) AS p95,
             min(value) FILTER (WHERE running * 100 >= total * 99) AS p99
      FROM ranked
      GROUP BY component
    )
    SELECT t.component, t.samples, t.up, t.downsampled, t.exact, e.p50, e.p95, e.p99
    FROM totals t LEFT JOIN estimated e USING (component)
    ORDER BY t.component
  `.execute(db);
  return rows.map((r) => {
    const [p50, p95, p99] = r.downsampled ? [r.p50, r.p95, r.p99] : (r.exact ?? [null, null, null]);
    return {
      component: r.component,
      samples: Number(r.samples),
      uptimePercent: uptimePercent(Number(r.up), Number(r.samples)),
      latencyMs: { p50: round(p50 ?? null), p95: round(p95 ?? null), p99: round(p99 ?? null) },
      latencyExact: !r.downsampled,
    };
  });
}
