/** Incidents and maintenance as the public reads them: what, which components, and each update. */
import type { PublicIncident } from '../../../../contracts/status-pages.ts';
import { IMPACT_WORDS, STATUS_WORDS, when } from './status-words.ts';

export function IncidentList({ incidents }: { incidents: PublicIncident[] }) {
  return (
    <ul className="incident-list">
      {incidents.map((incident) => (
        <li key={incident.id} className={`incident incident-${incident.kind}`}>
          <article aria-labelledby={`incident-${incident.id}`}>
            <h3 id={`incident-${incident.id}`}>{incident.title}</h3>
            <p className="incident-meta">
              <strong>{STATUS_WORDS[incident.status]}</strong>
              {incident.kind === 'incident' && <> · {IMPACT_WORDS[incident.impact]}</>}
              {incident.components.length > 0 && <> · Affects {incident.components.join(', ')}</>}
            </p>
            {incident.kind === 'maintenance' && incident.startsAt && incident.endsAt && (
              <p>
                From <time dateTime={incident.startsAt}>{when(incident.startsAt)}</time> to <time dateTime={incident.endsAt}>{when(incident.endsAt)}</time>
              </p>
            )}
            <ol className="incident-updates" aria-label={`Updates on ${incident.title}, newest first`}>
              {incident.updates.map((update) => (
                <li key={update.id}>
                  <p>
                    <strong>{STATUS_WORDS[update.status]}</strong> — <time dateTime={update.at}>{when(update.at)}</time>
                  </p>
                  <p className="incident-message">{update.message}</p>
                </li>
              ))}
            </ol>
          </article>
        </li>
      ))}
    </ul>
  );
}
