/**
 * One external service: its latest check (and "Check now", which can wait in the offline queue),
 * its definition in an edit form, and its deletion behind a confirmation. A service from the config
 * file is shown read-only: it is changed in that file.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useLoaderData, useLocation, useNavigate, useNavigationType, type LoaderFunctionArgs } from 'react-router';
import type { ServiceRecord } from '../../../../contracts/services.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { ApiError, browserApi } from '../../shared/api/client.ts';
import { sendOrQueue, useQueuedOutcome } from '../../shared/offline/action-queue.ts';
import { describeOutcome } from '../../shared/offline/QueuedActions.tsx';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { formValuesOf } from './service-form-schema.ts';
import { fetchService, serviceKey, servicesKey } from './services-api.ts';
import { ServiceForm } from './ServiceForm.tsx';
import { CheckedAt, latency, ServiceStatus, targetOf } from './ServiceStatus.tsx';

export const handle: PageHandle = { title: ({ params }) => `${params.name ?? 'Service'} · Services` };

export async function loader({ context, params }: LoaderFunctionArgs) {
  return { service: await orRouteError(fetchService(apiFrom(context), params.name!)), at: Date.now() };
}

export function Component() {
  const initial = useLoaderData<typeof loader>();
  const name = initial.service.name;
  const { data: service, refetch } = useQuery({
    queryKey: serviceKey(name),
    queryFn: () => fetchService(browserApi, name),
    initialData: initial.service,
    initialDataUpdatedAt: initial.at,
  });
  const location = useLocation();
  // Said after the save that led here, not again when the page is reloaded or returned to (POP).
  const saved = useNavigationType() === 'POP' ? undefined : (location.state as { saved?: string } | null)?.saved;
  const notice = useRef<HTMLParagraphElement>(null);
  // After a save the page stays where it is: focus goes to the confirmation, not to the top.
  useEffect(() => {
    if (saved === 'saved') notice.current?.focus();
  }, [saved, location.key]);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/services">Services</Link>
      </p>
      <h1>{service.name}</h1>
      {saved && (
        <p className="notice" role="status" ref={notice} tabIndex={-1}>
          {saved === 'added' ? 'The service was added.' : 'The changes were saved.'}
        </p>
      )}
      <PanelBoundary title="Latest check" onRetry={refetch}>
        <LatestCheck service={service} />
      </PanelBoundary>
      {service.source === 'config' ? (
        <Panel titleId="definition-title" title="Definition">
          <p>
            This service is declared in the config file and is read-only here: <code>{targetOf(service)}</code>. Change it in that file and restart Watchkeeper.
          </p>
        </Panel>
      ) : (
        <>
          <EditService service={service} />
          <DeleteService name={service.name} />
        </>
      )}
    </>
  );
}

function LatestCheck({ service }: { service: ServiceRecord }) {
  const queryClient = useQueryClient();
  const [result, setResult] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const [queued, watchQueued] = useQueuedOutcome();
  useEffect(() => {
    if (queued?.kind === 'delivered') void queryClient.invalidateQueries({ queryKey: serviceKey(service.name) });
  }, [queued?.kind, queryClient, service.name]);
  async function checkNow() {
    setChecking(true);
    setResult('Checking…');
    watchQueued(undefined);
    try {
      const sent = await sendOrQueue<ServiceRecord>({ label: `Check ${service.name} now`, method: 'POST', path: `/api/services/${service.name}/check` });
      if (sent.queued) {
        watchQueued(sent.id);
        setResult('Offline: the check is queued and will run when Watchkeeper is reachable again.');
      } else {
        queryClient.setQueryData(serviceKey(service.name), sent.answer);
        await queryClient.invalidateQueries({ queryKey: servicesKey, exact: false, refetchType: 'none' });
        const { health } = sent.answer;
        setResult(
          `Checked: ${health.status === 'pass' ? 'up' : health.status === 'warn' ? 'degraded' : 'down'} in ${latency(health)}${health.output ? ` — ${health.output}` : ''}.`,
        );
      }
    } catch (error) {
      setResult(`The check could not run: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setChecking(false);
    }
  }
  const { health } = service;
  return (
    <Panel titleId="latest-title" title="Latest check">
      <dl className="facts">
        <dt>Target</dt>
        <dd className="service-target">{targetOf(service)}</dd>
        <dt>Status</dt>
        <dd>
          <ServiceStatus health={health} />
        </dd>
        <dt>Latency</dt>
        <dd>{latency(health)}</dd>
        <dt>Last checked</dt>
        <dd>
          <CheckedAt at={health.checkedAt} />
        </dd>
        <dt>Output</dt>
        <dd>{health.output ?? '—'}</dd>
        <dt>Consecutive failures</dt>
        <dd>{health.consecutiveFailures}</dd>
        <dt>Source</dt>
        <dd>{service.source === 'config' ? 'Config file (read-only)' : 'Added here'}</dd>
      </dl>
      <button type="button" onClick={() => void checkNow()} disabled={checking}>
        Check now
      </button>
      <p className="check-result" role="status" aria-live="polite">
        {queued && queued.kind !== 'queued' ? `The queued check: ${describeOutcome(queued)}.` : result}
      </p>
    </Panel>
  );
}

function EditService({ service }: { service: ServiceRecord }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (
    <Panel titleId="edit-title" title="Edit">
      <ServiceForm
        // A new definition from the server (after a save) starts the form again from it.
        key={service.updatedAt ?? ''}
        editing
        defaultValues={formValuesOf(service)}
        submitLabel="Save changes"
        send={async (body) => {
          const saved = await browserApi<ServiceRecord>(`/api/services/${service.name}`, { method: 'PUT', body });
          queryClient.setQueryData(serviceKey(service.name), saved);
          await queryClient.invalidateQueries({ queryKey: servicesKey, exact: false, refetchType: 'none' });
          await navigate('.', { replace: true, state: { saved: 'saved' } });
        }}
      />
    </Panel>
  );
}

/** Deleting asks first, in a modal dialog (focus moves into it and back out when it closes). */
function DeleteService({ name }: { name: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  useEffect(() => () => dialog.current?.close(), []);
  async function confirm() {
    setDeleting(true);
    setError(null);
    try {
      await browserApi(`/api/services/${name}`, { method: 'DELETE' });
      dialog.current?.close();
      await navigate('/services', { state: { deleted: name } });
      // Once this page is gone, so nothing asks for the deleted service again.
      queryClient.removeQueries({ queryKey: serviceKey(name) });
      await queryClient.invalidateQueries({ queryKey: servicesKey });
    } catch (caught) {
      setError(caught instanceof ApiError || caught instanceof Error ? caught.message : String(caught));
    } finally {
      setDeleting(false);
    }
  }
  return (
    <Panel titleId="delete-title" title="Delete">
      <p>Stop checking this service and forget it.</p>
      <button type="button" className="danger" onClick={() => dialog.current?.showModal()}>
        Delete {name}…
      </button>
      <dialog ref={dialog} aria-labelledby="delete-dialog-title" className="confirm-dialog">
        <h2 id="delete-dialog-title">Delete {name}?</h2>
        <p>Watchkeeper stops checking it and forgets its definition. This cannot be undone.</p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={() => void confirm()} disabled={deleting}>
            Delete
          </button>
        </div>
      </dialog>
    </Panel>
  );
}
