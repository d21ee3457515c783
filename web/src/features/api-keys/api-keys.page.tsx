/**
 * API keys of the organization: the list (never the secrets), a form to create one — whose key is
 * shown once, right here — and revocation with a confirmation.
 */
import { useState } from 'react';
import { useLoaderData, useRevalidator } from 'react-router';
import type { z } from 'zod';
import type { apiKeySchema } from '../../../../contracts/auth.ts';
import { listLoader } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { AdminLayout } from '../administration/AdminLayout.tsx';
import { CreateKeyForm, type CreatedApiKey } from './CreateKeyForm.tsx';
import { NewKey } from './NewKey.tsx';

export const handle: PageHandle = { title: 'API keys' };

type ApiKey = z.infer<typeof apiKeySchema>;

export const loader = listLoader<ApiKey>('/api/api-keys');

const day = (iso: string | null, none: string) => (iso ? iso.slice(0, 10) : none);

export function Component() {
  const { items } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  return (
    <AdminLayout title="API keys">
      {created && <NewKey name={created.name} secret={created.key} onDismiss={() => setCreated(null)} />}
      <PanelBoundary title="Keys">
        <Panel titleId="api-keys-title" title="Keys">
          <DataTable
            className="admin-table"
            caption="API keys of this organization"
            columns={['Name', 'Prefix', 'Scopes', 'Project', 'Created', 'Last used', 'Expires', 'State']}
            records={items}
            empty="This organization has no API keys yet."
            row={(key) => <KeyRow key={key.id} apiKey={key} onRevoked={() => void revalidator.revalidate()} />}
          />
        </Panel>
      </PanelBoundary>
      <PanelBoundary title="Create a key">
        <CreateKeyForm
          onCreated={(key) => {
            setCreated(key);
            void revalidator.revalidate();
          }}
        />
      </PanelBoundary>
    </AdminLayout>
  );
}

function KeyRow({ apiKey, onRevoked }: { apiKey: ApiKey; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function revoke() {
    setError(null);
    try {
      await browserApi(`/api/api-keys/${apiKey.id}`, { method: 'DELETE' });
      setConfirming(false);
      onRevoked();
    } catch (failure) {
      setError((failure as Error).message);
    }
  }
  return (
    <tr>
      <th scope="row">{apiKey.name}</th>
      <td>
        <code>{apiKey.prefix}</code>
      </td>
      <td>{apiKey.scopes.join(', ')}</td>
      <td>{apiKey.projectId ?? 'All projects'}</td>
      <td className="nowrap">{day(apiKey.createdAt, '—')}</td>
      <td className="nowrap">{day(apiKey.lastUsedAt, 'Never')}</td>
      <td className="nowrap">{day(apiKey.expiresAt, 'Never')}</td>
      <td>
        {apiKey.revokedAt ? (
          <span>Revoked {day(apiKey.revokedAt, '')}</span>
        ) : confirming ? (
          <span className="confirm" role="group" aria-label={`Confirm revoking ${apiKey.name}`}>
            <span>Revoke “{apiKey.name}”? It stops working at once.</span>{' '}
            <button type="button" className="danger" onClick={() => void revoke()}>
              Yes, revoke
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <>
            Active{' '}
            <button type="button" onClick={() => setConfirming(true)} aria-label={`Revoke ${apiKey.name}`}>
              Revoke
            </button>
          </>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}
