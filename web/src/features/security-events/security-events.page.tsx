/**
 * Security events the instance detected (brute force, spraying, denials…), newest first, with a
 * plain GET filter form: the query string is the filter, so it works without JavaScript.
 */
import { Link, useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { AdminLayout } from '../administration/AdminLayout.tsx';

export const handle: PageHandle = { title: 'Security events' };

/** As GET /api/security-events answers (server/platform/security/events/security-events.schemas.ts). */
interface SecurityEvent {
  id: string;
  kind: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  subject: string;
  count: number;
  windowSeconds: number;
  firstSeen: string;
  lastSeen: string;
}

const KINDS = ['brute-force', 'password-spraying', 'permission-denials', 'api-key-new-ip', 'ip-rule-denials', 'rate-limit-storm'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const FILTERS = ['kind', 'severity', 'from', 'to'] as const;
type FilterName = (typeof FILTERS)[number];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const filters = new URLSearchParams();
  for (const name of FILTERS) {
    const value = url.searchParams.get(name)?.trim();
    if (value) filters.set(name, value);
  }
  const query = new URLSearchParams(filters);
  query.set('limit', '50');
  const cursor = url.searchParams.get('cursor');
  if (cursor) query.set('cursor', cursor);
  let refused: string | null = null;
  const page = await orRouteError(
    apiFrom(context)<{ events: SecurityEvent[]; nextCursor: string | null }>(`/api/security-events?${query}`).catch((error: unknown) => {
      if ((error as { status?: number }).status !== 400) throw error;
      refused = (error as Error).message;
      return { events: [], nextCursor: null };
    }),
  );
  return { page, filters: Object.fromEntries(filters) as Partial<Record<FilterName, string>>, query: filters.toString(), refused };
}

const time = (iso: string) => iso.slice(0, 19).replace('T', ' ');

export function Component() {
  const { page, filters, query, refused } = useLoaderData<typeof loader>();
  const next = new URLSearchParams(query);
  if (page.nextCursor) next.set('cursor', page.nextCursor);
  return (
    <AdminLayout title="Security events">
      <section className="panel" aria-labelledby="security-filters-title">
        <h2 id="security-filters-title">Filters</h2>
        {refused && (
          <p className="form-error" role="alert">
            {refused}
          </p>
        )}
        <form method="get" action="/admin/security-events" className="filter-form" key={JSON.stringify(filters)}>
          <div className="field">
            <label htmlFor="security-kind">Kind</label>
            <select id="security-kind" name="kind" defaultValue={filters.kind ?? ''}>
              <option value="">Any</option>
              {KINDS.map((kind) => (
                <option key={kind}>{kind}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="security-severity">Severity</label>
            <select id="security-severity" name="severity" defaultValue={filters.severity ?? ''}>
              <option value="">Any</option>
              {SEVERITIES.map((severity) => (
                <option key={severity}>{severity}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="security-from">From</label>
            <input id="security-from" name="from" defaultValue={filters.from ?? ''} aria-describedby="security-from-hint" />
            <p className="hint" id="security-from-hint">
              ISO 8601 with a zone, e.g. 2024-05-01T12:00:00Z
            </p>
          </div>
          <div className="field">
            <label htmlFor="security-to">To</label>
            <input id="security-to" name="to" defaultValue={filters.to ?? ''} />
          </div>
          <div className="filter-actions">
            <button type="submit">Apply filters</button> <a href="/admin/security-events">Clear</a>
          </div>
        </form>
      </section>
      <PanelBoundary title="Events">
        <section className="panel" aria-labelledby="security-events-title">
          <h2 id="security-events-title">Events</h2>
          {page.events.length === 0 ? (
            <p>No security events match these filters.</p>
          ) : (
            <table className="admin-table">
              <caption className="visually-hidden">Security events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Count</th>
                  <th scope="col">First seen (UTC)</th>
                  <th scope="col">Last seen (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {page.events.map((event) => (
                  <tr key={event.id}>
                    <td>{event.kind}</td>
                    <td className={`severity-${event.severity}`}>{event.severity}</td>
                    <td>{event.subject}</td>
                    <td>
                      {event.count} in {Math.round(event.windowSeconds / 60)} min
                    </td>
                    <td className="nowrap">{time(event.firstSeen)}</td>
                    <td className="nowrap">{time(event.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {page.nextCursor && (
            <p>
              <Link to={`?${next}`}>Older events</Link>
            </p>
          )}
        </section>
      </PanelBoundary>
    </AdminLayout>
  );
}
