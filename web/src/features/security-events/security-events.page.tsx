/**
 * Security events the instance detected (brute force, spraying, denials…), newest first, with a
 * plain GET filter form: the query string is the filter, so it works without JavaScript.
 */
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { FilterForm, NextPageLink, type FilterField } from '../../shared/filtered-list/FilterForm.tsx';
import { readFilteredPage } from '../../shared/filtered-list/filtered-page.ts';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
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

type SecurityEventsPage = { events: SecurityEvent[]; nextCursor: string | null };

const FILTER_FIELDS = [
  { name: 'kind', label: 'Kind', options: ['brute-force', 'password-spraying', 'permission-denials', 'api-key-new-ip', 'ip-rule-denials', 'rate-limit-storm'] },
  { name: 'severity', label: 'Severity', options: ['low', 'medium', 'high', 'critical'] },
  { name: 'from', label: 'From', hint: 'ISO 8601 with a zone, e.g. 2024-05-01T12:00:00Z' },
  { name: 'to', label: 'To' },
] as const satisfies readonly FilterField<string>[];

export async function loader({ request, context }: LoaderFunctionArgs) {
  return orRouteError(
    readFilteredPage({
      url: new URL(request.url),
      filterNames: FILTER_FIELDS.map((field) => field.name),
      limit: 50,
      read: (apiQuery) => apiFrom(context)<SecurityEventsPage>(`/api/security-events?${apiQuery}`),
      whenRefused: { events: [], nextCursor: null },
    }),
  );
}

const time = (iso: string) => iso.slice(0, 19).replace('T', ' ');

export function Component() {
  const { page, filters, query, refused } = useLoaderData<typeof loader>();
  return (
    <AdminLayout title="Security events">
      <FilterForm id="security-filters" fieldId="security" action="/admin/security-events" fields={FILTER_FIELDS} filters={filters} refused={refused} />
      <PanelBoundary title="Events">
        <Panel titleId="security-events-title" title="Events">
          <DataTable
            className="admin-table"
            caption="Security events, newest first"
            columns={['Kind', 'Severity', 'Subject', 'Count', 'First seen (UTC)', 'Last seen (UTC)']}
            records={page.events}
            empty="No security events match these filters."
            row={(event) => (
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
            )}
          />
          <NextPageLink query={query} cursor={page.nextCursor}>
            Older events
          </NextPageLink>
        </Panel>
      </PanelBoundary>
    </AdminLayout>
  );
}
