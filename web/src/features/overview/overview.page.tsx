/**
 * The overview: every component's status at a glance, a banner naming what is degraded or
 * failing, live (polled every 10 s) once the client has taken over. Rendered on the server too, so
 * it reads the same without JavaScript.
 */
import { useQuery } from '@tanstack/react-query';
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import type { HealthCheckEntry, HealthResponse } from '../../../../contracts/health.ts';
import { apiFrom } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi, type Api } from '../../shared/api/client.ts';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { ComponentTable } from './ComponentTable.tsx';
import { StatusBanner } from './StatusBanner.tsx';

const fetchStatus = (api: Api) => api<HealthResponse>('/health/status', { answers: [503] });

export const handle: PageHandle = { title: 'Overview' };

export async function loader({ context }: LoaderFunctionArgs) {
  return { status: await fetchStatus(apiFrom(context)), at: Date.now() };
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
  const { data: status, dataUpdatedAt } = useQuery({
    queryKey: ['health', 'status'],
    queryFn: () => fetchStatus(browserApi),
    initialData: initial.status,
    initialDataUpdatedAt: initial.at,
    refetchInterval: 10_000,
  });
  const rows = componentRows(status);
  return (
    <>
      <h1>Overview</h1>
      <StatusBanner status={status.status} rows={rows} />
      <PanelBoundary title="Components">
        <ComponentTable rows={rows} updatedAt={dataUpdatedAt} />
      </PanelBoundary>
    </>
  );
}
