/**
 * The overview: every component's status at a glance, a banner naming what is degraded or
 * failing, live (polled every 10 s) once the client has taken over. Rendered on the server too, so
 * it reads the same without JavaScript.
 */
import { useQuery } from '@tanstack/react-query';
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import type { HealthCheckEntry, HealthHistoryResponse, HealthResponse } from '../../../../contracts/health.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi, type Api } from '../../shared/api/client.ts';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { fetchStatus } from '../health/health-data.ts';
import { useHealthStatus } from '../health/use-health-status.ts';
import { ComponentTable } from './ComponentTable.tsx';
import { RecentChanges } from './RecentChanges.tsx';
import { StatusBanner } from './StatusBanner.tsx';

// Only the per-component summary is shown: one sample is the least a page may hold.
const fetchHistory = (api: Api) => api<HealthHistoryResponse>('/health/history?limit=1');

export const handle: PageHandle = { title: 'Overview' };

export async function loader({ context }: LoaderFunctionArgs) {
  // Someone whose rights lie in other organizations: the overview is Watchkeeper's own health, so
  // the page says so (with the server's reason) rather than failing.
  let refused: string | null = null;
  const status = await orRouteError(
    fetchStatus(apiFrom(context)).catch((error: unknown) => {
      if ((error as { status?: number }).status !== 403) throw error;
      refused = (error as Error).message;
      return null;
    }),
  );
  // The day's history is a panel of its own: when it cannot be had, the rest still shows.
  const history = status ? await fetchHistory(apiFrom(context)).catch(() => null) : null;
  return { status, history, at: Date.now(), refused };
}

export interface ComponentRow extends HealthCheckEntry {
  name: string;
}

export function componentRows(report: HealthResponse): ComponentRow[] {
  return Object.entries(report.checks)
    .flatMap(([name, entries]) => entries.map((entry) => ({ ...entry, name: entries.length > 1 ? `${name} (${entry.componentId})` : name })))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function Component() {
  const initial = useLoaderData<typeof loader>();
  if (!initial.status) return <NotYours reason={initial.refused} />;
  return <Overview initial={{ status: initial.status, history: initial.history, at: initial.at }} />;
}

function NotYours({ reason }: { reason: string | null }) {
  return (
    <>
      <h1>Overview</h1>
      <section className="panel" role="status">
        <p>The overview shows Watchkeeper’s own health, which your account may not see here.</p>
        {reason && <p className="muted">{reason}</p>}
      </section>
    </>
  );
}

function Overview({ initial }: { initial: { status: HealthResponse; history: HealthHistoryResponse | null; at: number } }) {
  const { data: status, dataUpdatedAt, refetch } = useHealthStatus(initial);
  const history = useQuery({
    queryKey: ['health', 'history', 'day'],
    queryFn: () => fetchHistory(browserApi),
    ...(initial.history ? { initialData: initial.history, initialDataUpdatedAt: initial.at } : {}),
    refetchInterval: 60_000,
  });
  const rows = componentRows(status);
  return (
    <>
      <h1>Overview</h1>
      <StatusBanner status={status.status} rows={rows} />
      <PanelBoundary title="Components" onRetry={refetch}>
        <ComponentTable rows={rows} updatedAt={dataUpdatedAt} />
      </PanelBoundary>
      <PanelBoundary title="The last 24 hours" onRetry={history.refetch}>
        {history.data ? (
          <RecentChanges history={history.data} />
        ) : (
          <Panel titleId="history-title" title="The last 24 hours">
            <p>{history.isError ? `The history is unavailable: ${history.error.message}` : 'Loading the history…'}</p>
          </Panel>
        )}
      </PanelBoundary>
    </>
  );
}
