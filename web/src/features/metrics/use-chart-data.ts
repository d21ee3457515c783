/**
 * One chart's data, fetched on its own (a failing chart fails alone) and refreshed as its range
 * asks. The server rendered the page with it: that answer is where the client starts.
 */
import { useQuery } from '@tanstack/react-query';
import { browserApi } from '../../shared/api/client.ts';
import type { ChartSpec } from './chart-spec.ts';
import { fetchChart, type ChartData } from './metrics-api.ts';
import { rangeKey, refreshIntervalMs, resolveRange, type TimeRange } from './time-range.ts';

export const chartKey = (scope: string, spec: ChartSpec, range: TimeRange) => ['metrics', 'chart', scope, spec.id, rangeKey(range)] as const;

export interface InitialChart {
  /** Null when the server could not read it: the client tries again. */
  data: ChartData | null;
  at: number;
}

export function useChartData(scope: string, spec: ChartSpec, range: TimeRange, initial: InitialChart | undefined) {
  return useQuery({
    queryKey: chartKey(scope, spec, range),
    queryFn: () => fetchChart(browserApi, spec, resolveRange(range, Date.now())),
    initialData: initial?.data ?? undefined,
    initialDataUpdatedAt: initial?.at,
    // The server's answer is as fresh as a poll's: no second fetch right after the page loads.
    staleTime: 10_000,
    refetchInterval: refreshIntervalMs(range),
  });
}
