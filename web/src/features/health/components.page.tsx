/**
 * Every component Watchkeeper checks: its status now (symbol and word), its uptime over the last
 * 24 hours and a compact timeline of its states. Rendered on the server, so it reads the same
 * without JavaScript; polled once the client has taken over.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useLoaderData, type LoaderFunctionArgs } from 'react-router';
import type { HealthHistoryResponse, HealthResponse } from '../../../../contracts/health.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { StatusMark } from '../overview/StatusBanner.tsx';
import { componentReports, DAY_MS, fetchHistory, fetchStatus, formatMs, formatPercent, STATUS_WORDS, timelineOf, unlessRefused, utc } from './health-data.ts';
import { NotYours } from './NotYours.tsx';
import { StatusTimeline } from './StatusTimeline.tsx';
import { useHealthStatus } from './use-health-status.ts';

export const handle: PageHandle = { title: 'Health' };

// Only the per-component summary is shown: one sample is the least a page may hold.
const dayHistory = (api: Parameters<typeof fetchHistory>[0], now: number) => fetchHistory(api, { windowMs: DAY_MS, limit: 1, now });

export async function loader({ context }: LoaderFunctionArgs) {
  const api = apiFrom(context);
  const now = Date.now();
  const read = await orRouteError(unlessRefused(Promise.all([fetchStatus(api), dayHistory(api, now)])));
  if (!read.value) return { refused: read.refused } as const;
  const [status, history] = read.value;
  return { status, history, at: now, refused: null };
}

export function Component() {
  const initial = useLoaderData<typeof loader>();
  if (initial.refused !== null) return <NotYours title="Health" reason={initial.refused} />;
  return <Components initial={initial} />;
}

function Components({ initial }: { initial: { status: HealthResponse; history: HealthHistoryResponse; at: number } }) {
  const status = useHealthStatus(initial);
  const history = useQuery({
    queryKey: ['health', 'components', 'day'],
    queryFn: () => dayHistory(browserApi, Date.now()),
    initialData: initial.history,
    initialDataUpdatedAt: initial.at,
    refetchInterval: 60_000,
  });
  return (
    <>
      <h1>Health</h1>
      <PanelBoundary title="Components" onRetry={() => Promise.all([status.refetch(), history.refetch()])}>
        <ComponentList status={status.data} history={history.data} updatedAt={status.dataUpdatedAt} />
      </PanelBoundary>
    </>
  );
}

function summarize(statuses: HealthResponse['status'][]): string {
  const count = (status: HealthResponse['status']) => statuses.filter((s) => s === status).length;
  return `${statuses.length} components: ${count('pass')} operational, ${count('warn')} degraded, ${count('fail')} failing.`;
}

function ComponentList({ status, history, updatedAt }: { status: HealthResponse; history: HealthHistoryResponse; updatedAt: number }) {
  const window = { from: Date.parse(history.from), to: Date.parse(history.to) };
  const stats = new Map(history.components.map((c) => [c.component, c]));
  const reports = componentReports(status);
  return (
    <Panel titleId="health-components-title" title="Components">
      <p className="visually-hidden" role="status">
        {summarize(reports.map((r) => r.check.status))}
      </p>
      <p className="muted">
        Uptime and timeline over the last 24 hours, from {utc(history.from, 16)} to {utc(history.to, 16)}.
      </p>
      <div className="table-scroll">
        <DataTable
          className="health-components"
          caption="Every component: its status now, uptime and states over the last 24 hours, and its latest check"
          columns={['Component', 'Status', 'Uptime', 'Last 24 hours', 'Latency', 'Checked']}
          records={reports}
          row={({ name, check }) => {
            const day = stats.get(name);
            return (
              <tr key={name}>
                <th scope="row">
                  <Link to={`/components/${encodeURIComponent(name)}`}>{name}</Link>
                </th>
                <td className="status-cell">
                  <StatusMark status={check.status} /> {STATUS_WORDS[check.status]}
                </td>
                <td className="status-cell">{day?.uptimePercent != null ? formatPercent(day.uptimePercent) : 'no checks'}</td>
                <td className="timeline-cell">
                  <StatusTimeline segments={timelineOf(day, window, check.status)} label={`${name}, last 24 hours`} />
                </td>
                <td className="status-cell">{formatMs(typeof check.observedValue === 'number' ? check.observedValue : null)}</td>
                <td className="status-cell">
                  <time dateTime={check.time}>{utc(check.time)}</time>
                </td>
              </tr>
            );
          }}
        />
      </div>
      <p className="muted">
        Updated <time dateTime={new Date(updatedAt).toISOString()}>{utc(new Date(updatedAt).toISOString())}</time>
      </p>
    </Panel>
  );
}
