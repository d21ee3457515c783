import { useId } from 'react';
import { useLocation } from 'react-router';
import type { ViewerScope } from './page-data.ts';

const valueOf = (organizationId: string, projectId: string | null) => (projectId ? `${organizationId}:${projectId}` : organizationId);

/**
 * The organization and project the pages act in, and a real form to pick another (POST /scope sets
 * a cookie and comes back here), so it works without JavaScript. It does not submit on change: a
 * keyboard user going through the options with the arrow keys would be sent off at the first one.
 */
export function ScopeSwitch({ scope }: { scope: ViewerScope }) {
  const id = useId();
  const location = useLocation();
  const current = scope.organizations.find((o) => o.id === scope.organizationId);
  const project = current?.projects.find((p) => p.id === scope.projectId);
  const currentLabel = `${current?.name ?? 'Unknown organization'}${project ? ` / ${project.name}` : ''}`;
  const choices = scope.organizations.reduce((count, o) => count + Math.max(1, o.projects.length), 0);
  if (choices <= 1) {
    return (
      <p className="scope-switch">
        <span className="muted">Acting in</span> <strong>{currentLabel}</strong>
      </p>
    );
  }
  return (
    <form method="post" action="/scope" className="scope-switch">
      <input type="hidden" name="next" value={`${location.pathname}${location.search}`} />
      <label htmlFor={id}>Acting in</label>
      <select id={id} name="scope" defaultValue={valueOf(scope.organizationId, scope.projectId)}>
        {scope.organizations.map((organization) => (
          <optgroup key={organization.id} label={organization.name}>
            {organization.projects.length === 0 ? (
              <option value={valueOf(organization.id, null)}>{organization.name} (default project)</option>
            ) : (
              organization.projects.map((p) => (
                <option key={p.id} value={valueOf(organization.id, p.id)}>
                  {organization.name} / {p.name}
                </option>
              ))
            )}
          </optgroup>
        ))}
      </select>
      <button type="submit">Switch</button>
    </form>
  );
}
