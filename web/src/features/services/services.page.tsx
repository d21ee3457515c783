/**
 * The external services of the project the user acts in: each one's latest result, latency and
 * time of check; those from the config file are shown read-only with their source. Rendered on the
 * server, then refreshed every 30 s.
 */
import { useQuery } from '@tanstack/react-query';
import { Link, useLoaderData, useLocation, useNavigationType, type LoaderFunctionArgs } from 'react-router';
import type { ServiceRecord } from '../../../../contracts/services.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { fetchServices, servicesListKey } from './services-api.ts';
import { CheckedAt, latency, ServiceStatus, targetOf } from './ServiceStatus.tsx';

export const handle: PageHandle = { title: 'Services' };

export async function loader({ context }: LoaderFunctionArgs) {
  return { services: await orRouteError(fetchServices(apiFrom(context))), at: Date.now() };
}

export function Component() {
  const initial = useLoaderData<typeof loader>();
  const { data, refetch } = useQuery({
    queryKey: servicesListKey,
    queryFn: () => fetchServices(browserApi),
    initialData: initial.services,
    initialDataUpdatedAt: initial.at,
    refetchInterval: 30_000,
  });
  const location = useLocation();
  const deleted = useNavigationType() === 'POP' ? undefined : (location.state as { deleted?: string } | null)?.deleted;
  return (
    <>
      <div className="page-title">
        <h1>Services</h1>
        <Link to="/services/new" className="button-link">
          Add a service
        </Link>
      </div>
      {deleted && (
        <p className="notice" role="status">
          {deleted} was deleted.
        </p>
      )}
      <PanelBoundary title="External services" onRetry={refetch}>
        <ServicesTable services={data.items} />
      </PanelBoundary>
    </>
  );
}

function ServicesTable({ services }: { services: ServiceRecord[] }) {
  if (services.length === 0) {
    return (
      <section className="panel">
        <p>
          No external services are checked in this project yet. <Link to="/services/new">Add the first one</Link>.
        </p>
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="services-title">
      <h2 id="services-title" className="visually-hidden">
        External services
      </h2>
      <DataTable
        caption="The external services of this project and their latest check"
        columns={['Service', 'Target', 'Status', 'Latency', 'Last checked', 'Source']}
        records={services}
        row={(service) => (
          <tr key={service.name}>
            <th scope="row">
              <Link to={`/services/${service.name}`}>{service.name}</Link>
              {service.critical && <span className="tag">critical</span>}
            </th>
            <td className="service-target">{targetOf(service)}</td>
            <td className="status-cell">
              <ServiceStatus health={service.health} />
            </td>
            <td className="status-cell">{latency(service.health)}</td>
            <td className="status-cell">
              <CheckedAt at={service.health.checkedAt} />
            </td>
            <td>{service.source === 'config' ? 'Config file (read-only)' : 'Added here'}</td>
          </tr>
        )}
      />
    </section>
  );
}
