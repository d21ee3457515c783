import { Panel } from '../../shared/Panel.tsx';
import { DataTable } from '../../shared/table/DataTable.tsx';
import { STATUS_WORDS } from '../health/health-data.ts';
import type { ComponentRow } from './overview.page.tsx';
import { StatusMark } from './StatusBanner.tsx';

/** A check's observed value in words: a number with its unit, an object as its fields. */
export function describeObserved(value: unknown, unit: string | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, field]) => `${key}: ${typeof field === 'object' && field !== null ? JSON.stringify(field) : String(field)}`)
      .join(', ');
  }
  return unit ? `${String(value)} ${unit}` : String(value);
}

export function ComponentTable({ rows, updatedAt }: { rows: ComponentRow[]; updatedAt: number }) {
  return (
    <Panel titleId="components-title" title="Components">
      <DataTable
        caption="Every component and its latest check"
        columns={['Component', 'Type', 'Status', 'Details', 'Checked']}
        records={rows}
        row={(row) => (
          <tr key={row.name}>
            <th scope="row">{row.name}</th>
            <td>{row.componentType}</td>
            <td className="status-cell">
              <StatusMark status={row.status} /> {STATUS_WORDS[row.status]}
            </td>
            <td>{row.output ?? describeObserved(row.observedValue, row.observedUnit)}</td>
            <td className="status-cell">
              <time dateTime={row.time}>{row.time.replace('T', ' ').slice(0, 19)} UTC</time>
            </td>
          </tr>
        )}
      />
      <p className="muted">
        Updated <time dateTime={new Date(updatedAt).toISOString()}>{new Date(updatedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC</time>
      </p>
    </Panel>
  );
}
