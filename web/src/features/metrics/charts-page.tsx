/**
 * A page of Watchkeeper's own charts: the metrics pages' links, the time range, and one panel per
 * chart, each in its own error boundary. The server renders it with every chart's data (so it
 * reads without JavaScript and an offline copy holds the data); the client refreshes each chart.
 */
import { useLoaderData, useSearchParams, type LoaderFunctionArgs } from 'react-router';
import { SYSTEM_PROJECT_ID } from '../../../../contracts/tenancy.ts';
import { apiFrom } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { useViewer } from '../../app/viewer.tsx';
import type { Api } from '../../shared/api/client.ts';
import type { ChartSpec } from './chart-spec.ts';
import { GuardedChartPanel } from './ChartPanel.tsx';
import { fetchChart, type ChartData } from './metrics-api.ts';
import { MetricsNav } from './MetricsNav.tsx';
import { NotAllowed } from './NotAllowed.tsx';
import { RangePicker } from './RangePicker.tsx';
import { parseTimeRange, rangeKey, resolveRange, type TimeRange } from './time-range.ts';

/** A refusal (403) of any chart is the page's: the permission is the same for all of them. */
export function refusalOf(results: PromiseSettledResult<unknown>[]): string | null {
  const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && (r.reason as { status?: number }).status === 403);
  return refused ? String((refused.reason as Error).message) : null;
}

/** Every chart's data, or null for one that failed (its panel fetches it again in the client). */
export async function readCharts(api: Api, charts: ChartSpec[], range: TimeRange, now: number) {
  const window = resolveRange(range, now);
  const results = await Promise.allSettled(charts.map((spec) => fetchChart(api, spec, window)));
  const data: Record<string, ChartData | null> = Object.fromEntries(
    charts.map((spec, i) => {
      const result = results[i]!;
      return [spec.id, result.status === 'fulfilled' ? result.value : null];
    }),
  );
  return { refused: refusalOf(results), data };
}

/** The scope a chart's data belongs to, so switching project never shows another project's cache. */
export function useScopeName(): string {
  const scope = useViewer()?.scope;
  return `${scope?.organizationId ?? ''}/${scope?.projectId ?? ''}`;
}

export function chartsPage({ title, intro, charts }: { title: string; intro: string; charts: ChartSpec[] }) {
  const handle: PageHandle = { title: `${title} · Metrics` };

  async function loader({ context, request }: LoaderFunctionArgs) {
    const now = Date.now();
    const { range } = parseTimeRange(new URL(request.url).searchParams);
    const { refused, data } = await readCharts(apiFrom(context), charts, range, now);
    return refused === null ? { refused, charts: data, at: now } : { refused, charts: {}, at: now };
  }

  function Component() {
    const initial = useLoaderData<typeof loader>();
    const [params] = useSearchParams();
    const scope = useScopeName();
    const projectId = useViewer()?.scope?.projectId;
    if (initial.refused !== null) return <NotAllowed title={title} reason={initial.refused} />;
    const { range, problem } = parseTimeRange(params);
    return (
      <>
        <h1>{title}</h1>
        <MetricsNav range={range} />
        <p className="muted">{intro}</p>
        {projectId && projectId !== SYSTEM_PROJECT_ID && (
          <p className="notice" role="note">
            These are Watchkeeper’s own series, kept in its own project (Watchkeeper itself, in the system organization), and you act in another one: switch to
            it in the header to see them. The explorer shows this project’s metrics.
          </p>
        )}
        <RangePicker range={range} problem={problem} now={initial.at} />
        <div className="chart-grid">
          {charts.map((spec) => (
            // Keyed by the range too: a panel that failed tries again in the new range.
            <GuardedChartPanel
              key={`${spec.id} ${rangeKey(range)}`}
              scope={scope}
              spec={spec}
              range={range}
              initial={{ data: initial.charts[spec.id] ?? null, at: initial.at }}
            />
          ))}
        </div>
      </>
    );
  }

  return { handle, loader, Component };
}
