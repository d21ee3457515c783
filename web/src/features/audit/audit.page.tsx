/**
 * The audit log: a filter form that is a plain GET form (the query string is the filter, so it
 * works without JavaScript and a filtered view is a link), pages of records newest first, exports
 * of what the filter matches, and verification of the hash chain.
 */
import { useState } from 'react';
import { Link, useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { browserApi } from '../../shared/api/client.ts';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { AdminLayout } from '../administration/AdminLayout.tsx';
import { AUDIT_FILTERS, type AuditChainReport, type AuditFilterName, type AuditPage } from './audit-types.ts';

export const handle: PageHandle = { title: 'Audit log' };

const PAGE_SIZE = 50;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const filters = new URLSearchParams();
  for (const name of AUDIT_FILTERS) {
    const value = url.searchParams.get(name)?.trim();
    if (value) filters.set(name, value);
  }
  const query = new URLSearchParams(filters);
  query.set('limit', String(PAGE_SIZE));
  const cursor = url.searchParams.get('cursor');
  if (cursor) query.set('cursor', cursor);
  // A filter the server refuses (a malformed date) is said on the form, not as a broken page.
  let refused: string | null = null;
  const page = await orRouteError(
    apiFrom(context)<AuditPage>(`/api/audit?${query}`).catch((error: unknown) => {
      if ((error as { status?: number }).status !== 400) throw error;
      refused = (error as Error).message;
      return { records: [], nextCursor: null } satisfies AuditPage;
    }),
  );
  return { page, filters: Object.fromEntries(filters) as Partial<Record<AuditFilterName, string>>, query: filters.toString(), refused };
}

export function Component() {
  const { page, filters, query, refused } = useLoaderData<typeof loader>();
  const next = new URLSearchParams(query);
  if (page.nextCursor) next.set('cursor', page.nextCursor);
  const exportQuery = (format: string) => {
    const q = new URLSearchParams(query);
    q.set('format', format);
    return `/api/audit/export?${q}`;
  };
  return (
    <AdminLayout title="Audit log">
      <PanelBoundary title="Filters">
        <AuditFilterForm filters={filters} refused={refused} />
      </PanelBoundary>
      <PanelBoundary title="Verification">
        <VerifyChain />
      </PanelBoundary>
      <PanelBoundary title="Records">
        <section className="panel" aria-labelledby="audit-records-title">
          <h2 id="audit-records-title">Records</h2>
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
          {page.records.length === 0 ? (
            <p>No audit records match these filters.</p>
          ) : (
            <table className="admin-table">
              <caption className="visually-hidden">Audit records, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">IP</th>
                </tr>
              </thead>
              <tbody>
                {page.records.map((record) => (
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
                ))}
              </tbody>
            </table>
          )}
          {page.nextCursor && (
            <p>
              <Link to={`?${next}`}>Older records</Link>
            </p>
          )}
        </section>
      </PanelBoundary>
    </AdminLayout>
  );
}

const OPTIONS = {
  actorType: ['user', 'api-key', 'system', 'anonymous'],
  outcome: ['success', 'failure', 'denied'],
} as const;

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

const HINTS: Partial<Record<AuditFilterName, string>> = {
  action: 'e.g. auth.login, or a prefix: auth.*',
  from: 'ISO 8601 with a zone, e.g. 2024-05-01T12:00:00Z',
  to: 'Exclusive, same format',
};

/** A plain GET form: submitting it (with or without JavaScript) loads this page with the filters. */
function AuditFilterForm({ filters, refused }: { filters: Partial<Record<AuditFilterName, string>>; refused: string | null }) {
  return (
    <section className="panel" aria-labelledby="audit-filters-title">
      <h2 id="audit-filters-title">Filters</h2>
      {refused && (
        <p className="form-error" role="alert" id="audit-filters-error">
          {refused}
        </p>
      )}
      {/* key: a new query string (back, a link) shows its own values, not the last ones typed. */}
      <form method="get" action="/admin/audit" className="filter-form" key={JSON.stringify(filters)}>
        {AUDIT_FILTERS.map((name) => {
          const id = `audit-filter-${name}`;
          const hint = HINTS[name];
          const options = name === 'actorType' || name === 'outcome' ? OPTIONS[name] : undefined;
          return (
            <div className="field" key={name}>
              <label htmlFor={id}>{LABELS[name]}</label>
              {options ? (
                <select id={id} name={name} defaultValue={filters[name] ?? ''}>
                  <option value="">Any</option>
                  {options.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={id} name={name} defaultValue={filters[name] ?? ''} aria-describedby={hint ? `${id}-hint` : undefined} />
              )}
              {hint && (
                <p className="hint" id={`${id}-hint`}>
                  {hint}
                </p>
              )}
            </div>
          );
        })}
        <div className="filter-actions">
          <button type="submit">Apply filters</button> <a href="/admin/audit">Clear</a>
        </div>
      </form>
    </section>
  );
}

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
    <section className="panel" aria-labelledby="audit-verify-title">
      <h2 id="audit-verify-title">Verification</h2>
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
    </section>
  );
}
