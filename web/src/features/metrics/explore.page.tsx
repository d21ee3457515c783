/**
 * The metrics explorer: any metric of the project acted in (GET /api/metrics lists them: pushed
 * custom metrics, Watchkeeper's own), narrowed by label values, as a chart and a table.
 */
import { useQuery } from '@tanstack/react-query';
import { useLoaderData, useSearchParams, type LoaderFunctionArgs } from 'react-router';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { readCharts, refusalOf, useScopeName } from './charts-page.tsx';
import { GuardedChartPanel } from './ChartPanel.tsx';
import { explorerChart, parseExplorerQuery } from './explorer-query.ts';
import { ExplorerForm } from './ExplorerForm.tsx';
import { fetchMetricList, metricListKey } from './metrics-api.ts';
import { MetricsNav } from './MetricsNav.tsx';
import { NotAllowed } from './NotAllowed.tsx';
import { RangePicker } from './RangePicker.tsx';
import { parseTimeRange, rangeKey, rangeParams } from './time-range.ts';

const TITLE = 'Metrics explorer';
export const handle: PageHandle = { title: `Explore · Metrics` };

export async function loader({ context, request }: LoaderFunctionArgs) {
  const api = apiFrom(context);
  const params = new URL(request.url).searchParams;
  const now = Date.now();
  const [listed] = await Promise.allSettled([fetchMetricList(api)]);
  const refused = refusalOf([listed]);
  if (refused !== null) return { refused, listing: null, chart: null, at: now };
  // The list is the page itself: without it there is nothing to choose from.
  const listing = await orRouteError(listed.status === 'fulfilled' ? Promise.resolve(listed.value) : Promise.reject(listed.reason as Error));
  const query = parseExplorerQuery(params);
  if (!query.metric) return { refused: null, listing, chart: null, at: now };
  const spec = explorerChart({ ...query, metric: query.metric });
  const { data } = await readCharts(api, [spec], parseTimeRange(params).range, now);
  return { refused: null, listing, chart: data[spec.id] ?? null, at: now };
}

export function Component() {
  const initial = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const scope = useScopeName();
  const listing = useQuery({
    queryKey: [...metricListKey, scope],
    queryFn: () => fetchMetricList(browserApi),
    initialData: initial.listing ?? undefined,
    initialDataUpdatedAt: initial.at,
    staleTime: 60_000,
  });
  if (initial.refused !== null) return <NotAllowed title={TITLE} reason={initial.refused} />;
  const { range, problem } = parseTimeRange(params);
  const query = parseExplorerQuery(params);
  return (
    <>
      <h1>{TITLE}</h1>
      <MetricsNav range={range} />
      <p className="muted">Any metric stored in this project: those pushed to it and, in Watchkeeper’s own project, its own.</p>
      <RangePicker range={range} problem={problem} now={initial.at} />
      <PanelBoundary title="Query" onRetry={listing.refetch}>
        {listing.data && <ExplorerForm key={query.metric ?? ''} listing={listing.data} query={query} rangeParams={rangeParams(range)} />}
      </PanelBoundary>
      {query.metric && (
        <GuardedChartPanel
          key={`${query.metric} ${rangeKey(range)}`}
          scope={scope}
          spec={explorerChart({ ...query, metric: query.metric })}
          range={range}
          initial={{ data: initial.chart, at: initial.at }}
        />
      )}
    </>
  );
}
