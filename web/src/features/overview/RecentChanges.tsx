/**
 * The last day at a glance: each component's uptime, and the latest state changes across all of
 * them, newest first (from /health/history's per-component summary).
 */
import type { HealthHistoryResponse, HealthStatus } from '../../../../contracts/health.ts';
import { Panel } from '../../shared/Panel.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { StatusMark } from './StatusBanner.tsx';

const WORDS: Record<HealthStatus, string> = { pass: 'operational', warn: 'degraded', fail: 'failing' };
const LATEST = 10;

const utc = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;

export function RecentChanges({ history }: { history: HealthHistoryResponse }) {
  const changes = history.components
    .flatMap((component) => component.stateChanges.filter((change) => change.from !== null).map((change) => ({ ...change, component: component.component })))
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, LATEST);
  const uptimes = history.components.filter((component) => component.uptimePercent !== null).sort((a, b) => a.component.localeCompare(b.component));
  return (
    <div className="overview-history">
      <Panel titleId="changes-title" title="Latest state changes">
        {changes.length === 0 ? (
          <p>No component changed state in the last 24 hours.</p>
        ) : (
          <ol className="state-changes">
            {changes.map((change) => (
              <li key={`${change.component}-${change.at}`}>
                <time dateTime={change.at}>{utc(change.at)}</time> <strong>{change.component}</strong>: {WORDS[change.from!]} →{' '}
                <StatusMark status={change.to} /> {WORDS[change.to]}
                {change.output && <span className="muted"> — {change.output}</span>}
              </li>
            ))}
          </ol>
        )}
      </Panel>
      <Panel titleId="uptime-title" title="Uptime, last 24 hours">
        <DataTable
          caption="Share of checks that passed or warned, per component, over the last 24 hours"
          columns={['Component', 'Uptime', 'Checks']}
          records={uptimes}
          row={(component) => (
            <tr key={component.component}>
              <th scope="row">{component.component}</th>
              <td>{component.uptimePercent!.toFixed(component.uptimePercent === 100 ? 0 : 2)} %</td>
              <td>{component.samples}</td>
            </tr>
          )}
        />
      </Panel>
    </div>
  );
}
