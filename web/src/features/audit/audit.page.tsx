/**
 * The audit log: a filter form that is a plain GET form (the query string is the filter, so it
 * works without JavaScript and a filtered view is a link), pages of records newest first, exports
 * of what the filter matches, and verification of the hash chain.
 */
import { useState } from 'react';
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { FilterForm, NextPageLink, type FilterField } from '../../shared/filtered-list/FilterForm.tsx';
import { readFilteredPage } from '../../shared/filtered-list/filtered-page.ts';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { AdminLayout } from '../administration/AdminLayout.tsx';
import { AUDIT_FILTERS, type AuditChainReport, type AuditFilterName, type AuditPage } from './audit-types.ts';

export const handle: PageHandle = { title: 'Audit log' };

const PAGE_SIZE = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  return orRouteError(
    readFilteredPage({
      url: new URL(request.url),
      filterNames: AUDIT_FILTERS,
      limit: PAGE_SIZE,
      read: (apiQuery) => apiFrom(context)<AuditPage>(`/api/audit?${apiQuery}`),
      whenRefused: { records: [], nextCursor: null } satisfies AuditPage,
    }),
  );
}

export function Component() {
  const { page, filters, query, refused } = useLoaderData<typeof loader>();
  const exportQuery = (format: string) => {
    const q = new URLSearchParams(query);
    q.set('format', format);
    return `/api/audit/export?${q}`;
  };
  return (
    <AdminLayout title="Audit log">
      <PanelBoundary title="Filters">
        <FilterForm id="audit-filters" fieldId="audit-filter" action="/admin/audit" fields={FILTER_FIELDS} filters={filters} refused={refused} />
      </PanelBoundary>
      <PanelBoundary title="Verification">
        <VerifyChain />
      </PanelBoundary>
      <PanelBoundary title="Records">
        <Panel titleId="audit-records-title" title="Records">
          <p className="audit-exports">
            Export what the filters match, oldest first:{' '}
            <a href={exportQuery('ndjson')} download>
              NDJSON
            </a>{' '}
            ·{' '}
            <a href={exportQuery('csv')} download>
              CSV
            </a>
          </p>
          <DataTable
            className="admin-table"
            caption="Audit records, newest first"
            columns={['#', 'When (UTC)', 'Actor', 'Action', 'Target', 'Outcome', 'IP']}
            records={page.records}
            empty="No audit records match these filters."
            row={(record) => (
              <tr key={record.seq}>
                <td>{record.seq}</td>
                <td className="nowrap">{record.occurredAt.slice(0, 19).replace('T', ' ')}</td>
                <td>
                  {record.actor.label ?? record.actor.id ?? '—'} <span className="muted">({record.actor.type})</span>
                </td>
                <td>
                  <code>{record.action}</code>
                </td>
                <td>{record.target ? `${record.target.type}: ${record.target.label ?? record.target.id ?? ''}` : '—'}</td>
                <td className={`outcome-${record.outcome}`}>{record.outcome}</td>
                <td>{record.ip ?? '—'}</td>
              </tr>
            )}
          />
          <NextPageLink query={query} cursor={page.nextCursor}>
            Older records
          </NextPageLink>
        </Panel>
      </PanelBoundary>
    </AdminLayout>
  );
}

const LABELS: Record<AuditFilterName, string> = {
  action: 'Action',
  actorType: 'Actor type',
  actorId: 'Actor id',
  outcome: 'Outcome',
  targetType: 'Target type',
  targetId: 'Target id',
  from: 'From',
  to: 'To',
};

const OPTIONS: Partial<Record<AuditFilterName, readonly string[]>> = {
  actorType: ['user', 'api-key', 'system', 'anonymous'],
  outcome: ['success', 'failure', 'denied'],
};

const HINTS: Partial<Record<AuditFilterName, string>> = {
  action: 'e.g. auth.login, or a prefix: auth.*',
  from: 'ISO 8601 with a zone, e.g. 2024-05-01T12:00:00Z',
  to: 'Exclusive, same format',
};

const FILTER_FIELDS: FilterField<AuditFilterName>[] = AUDIT_FILTERS.map((name) => ({ name, label: LABELS[name], options: OPTIONS[name], hint: HINTS[name] }));

/** Recomputes the chain on the server; the outcome is announced in a live region. */
function VerifyChain() {
  const [state, setState] = useState<{ busy: boolean; report?: AuditChainReport; error?: string }>({ busy: false });
  async function verify() {
    setState({ busy: true });
    try {
      setState({ busy: false, report: await browserApi<AuditChainReport>('/api/audit/verify') });
    } catch (error) {
      setState({ busy: false, error: (error as Error).message });
    }
  }
  const { report } = state;
  const first = report?.problems[0];
  return (
    <Panel titleId="audit-verify-title" title="Verification">
      <p>Recompute the hash chain of every record and hold it against its anchors.</p>
      <button type="button" onClick={() => void verify()} disabled={state.busy}>
        Verify
      </button>
      <div role="status" className="verify-result">
        {state.busy && <p>Verifying…</p>}
        {state.error && <p className="status-fail">Verification failed: {state.error}</p>}
        {report &&
          (report.intact ? (
            <p className="status-pass">✓ Chain intact: {report.records} records verified.</p>
          ) : (
            <p className="status-fail">
              ✗ Chain broken at entry {first?.seq}
              {first ? ` (${first.kind}: ${first.detail})` : ''}; {report.problemCount} problem{report.problemCount === 1 ? '' : 's'} in {report.records}{' '}
              records.
            </p>
          ))}
      </div>
    </Panel>
  );
}
