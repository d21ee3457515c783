/**
 * The public status page of an organization, /status/<slug>: no sign-in, rendered on the server as
 * nobody (so it is cached publicly for 30 s) and complete without JavaScript. Its own plain frame,
 * not the signed-in Layout: a visitor sees the page's title, the state of each component with its
 * 90-day strip, and what the organization says about incidents and maintenance.
 */
import { useLoaderData, type LoaderFunctionArgs } from 'react-router';
import type { PublicComponent, PublicStatus } from '../../../../contracts/status-pages.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { PublicFrame } from '../../app/PublicFrame.tsx';
import { Panel } from '../../shared/Panel.tsx';
import { DayStrip } from './DayStrip.tsx';
import { IncidentList } from './IncidentList.tsx';
import { COMPONENT_WORDS, OVERALL_WORDS, percent, when } from './status-words.ts';

export const handle: PageHandle = { title: ({ data }) => (data as { title?: string } | undefined)?.title ?? 'Status' };

export async function loader({ params, context }: LoaderFunctionArgs) {
  const slug = encodeURIComponent(params.slug ?? '');
  return orRouteError(apiFrom(context)<PublicStatus>(`/api/public/status/${slug}`));
}

const MARKS = { pass: '●', warn: '▲', fail: '✖', none: '○' } as const;
const OVERALL_CLASS = { operational: 'pass', degraded: 'warn', outage: 'fail', maintenance: 'warn' } as const;

export function Component() {
  const status = useLoaderData<typeof loader>();
  return (
    <PublicFrame
      className="public-status"
      brand={<span className="brand">{status.title}</span>}
      footer={
        <>
          <a href="/accessibility">Accessibility</a> · Powered by Watchkeeper
        </>
      }
    >
      <h1>{status.title}</h1>
      <section className={`banner banner-${OVERALL_CLASS[status.status]}`} aria-labelledby="overall-title">
        <h2 id="overall-title" className="banner-title">
          <span className={`status-mark status-${OVERALL_CLASS[status.status]}`} aria-hidden="true">
            {MARKS[OVERALL_CLASS[status.status]]}
          </span>{' '}
          {OVERALL_WORDS[status.status]}
        </h2>
        <p className="muted">
          As of <time dateTime={status.generatedAt}>{when(status.generatedAt)}</time>
        </p>
      </section>

      {status.active.length > 0 && (
        <Panel titleId="active-title" title="Active incidents">
          <IncidentList incidents={status.active} />
        </Panel>
      )}

      {status.upcoming.length > 0 && (
        <Panel titleId="upcoming-title" title="Scheduled maintenance">
          <IncidentList incidents={status.upcoming} />
        </Panel>
      )}

      <Panel titleId="components-title" title="Components">
        {status.components.length === 0 ? (
          <p>This page shows no components yet.</p>
        ) : (
          <>
            <ul className="status-components">
              {status.components.map((component) => (
                <ComponentStatus key={component.name} component={component} />
              ))}
            </ul>
            <p className="day-legend muted">
              Each bar is one day (UTC), oldest first: <span className="legend legend-up" aria-hidden="true" /> full: up at least 99.9%;{' '}
              <span className="legend legend-partial" aria-hidden="true" /> lower: up 95–99.9%; <span className="legend legend-down" aria-hidden="true" />{' '}
              lowest: up less than 95%; <span className="legend legend-none" aria-hidden="true" /> outline: no data.
            </p>
          </>
        )}
      </Panel>

      <Panel titleId="past-title" title="Past incidents">
        {status.past.length === 0 ? <p>No incidents in the last 90 days.</p> : <IncidentList incidents={status.past} />}
      </Panel>
    </PublicFrame>
  );
}

function ComponentStatus({ component }: { component: PublicComponent }) {
  const state = component.status ?? 'none';
  return (
    <li className="status-component">
      <div className="status-component-head">
        <h3>{component.name}</h3>
        <p className={`status-cell status-${state}`}>
          <span aria-hidden="true">{MARKS[state]}</span> {COMPONENT_WORDS[state]}
        </p>
      </div>
      <DayStrip name={component.name} days={component.days} />
      <p className="muted status-uptime">
        {component.uptimePercent === null
          ? 'No data in the last 90 days'
          : `${percent(component.uptimePercent)} uptime over the last ${component.days.length} days`}
      </p>
    </li>
  );
}
