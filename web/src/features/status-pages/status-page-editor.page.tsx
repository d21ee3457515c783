/**
 * The status-page editor (signed in, status-pages:read to see, :write to change): whether the
 * organization's public page is on, its title and components, and the incidents and scheduled
 * maintenance written on it with their updates. Each form is validated with the server's schema.
 */
import { useLoaderData, useRevalidator, type LoaderFunctionArgs } from 'react-router';
import type { Incident, StatusPageAdmin } from '../../../../contracts/status-pages.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { IncidentEditor, NewIncidentForm, NewMaintenanceForm } from './IncidentForms.tsx';
import { SettingsForm } from './SettingsForm.tsx';

export const handle: PageHandle = { title: 'Status page' };

export async function loader({ context }: LoaderFunctionArgs) {
  const api = apiFrom(context);
  const [page, incidents] = await Promise.all([
    orRouteError(api<StatusPageAdmin>('/api/status-page')),
    orRouteError(api<{ items: Incident[] }>('/api/incidents')),
  ]);
  return { page, incidents: incidents.items };
}

export function Component() {
  const { page, incidents } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const changed = async () => {
    await revalidator.revalidate();
  };
  const onPage = page.settings.components.map((key) => ({
    value: key,
    label: page.available.find((c) => c.key === key)?.name ?? key.slice(key.indexOf('/') + 1),
  }));
  const open = incidents.filter((i) => i.closedAt === null);
  const closed = incidents.filter((i) => i.closedAt !== null);
  return (
    <>
      <h1>Status page</h1>
      <p>
        {page.settings.enabled ? (
          <>
            The public page is on at <a href={`/status/${page.slug}`}>/status/{page.slug}</a>.
          </>
        ) : (
          <>The public page is off: /status/{page.slug} answers “not found” until it is enabled.</>
        )}
      </p>
      <PanelBoundary title="Settings">
        <SettingsForm page={page} onSaved={changed} />
      </PanelBoundary>
      <PanelBoundary title="New incident">
        <NewIncidentForm components={onPage} onCreated={changed} />
      </PanelBoundary>
      <PanelBoundary title="Schedule maintenance">
        <NewMaintenanceForm components={onPage} onCreated={changed} />
      </PanelBoundary>
      <IncidentEditors titleId="open-title" title="Open incidents and maintenance" none="Nothing open." incidents={open} names={onPage} onChanged={changed} />
      <IncidentEditors titleId="closed-title" title="Closed in the last 90 days" none="Nothing closed." incidents={closed} names={onPage} onChanged={changed} />
    </>
  );
}

interface IncidentEditorsProps {
  titleId: string;
  title: string;
  /** Said when there is none. */
  none: string;
  incidents: Incident[];
  names: Parameters<typeof IncidentEditor>[0]['names'];
  onChanged: () => Promise<void>;
}

/** A panel of incidents, each with its editor. */
function IncidentEditors({ titleId, title, none, incidents, names, onChanged }: IncidentEditorsProps) {
  return (
    <PanelBoundary title={title}>
      <Panel titleId={titleId} title={title}>
        {incidents.length === 0 ? (
          <p>{none}</p>
        ) : (
          incidents.map((incident) => <IncidentEditor key={incident.id} incident={incident} names={names} onChanged={onChanged} />)
        )}
      </Panel>
    </PanelBoundary>
  );
}
