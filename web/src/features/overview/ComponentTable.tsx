import { StatusMark } from './StatusBanner.tsx';
import type { ComponentRow } from './overview.page.tsx';

const WORDS = { pass: 'Operational', warn: 'Degraded', fail: 'Failing' } as const;

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
    <section className="panel" aria-labelledby="components-title">
      <h2 id="components-title">Components</h2>
      <table>
        <caption className="visually-hidden">Every component and its latest check</caption>
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Details</th>
            <th scope="col">Checked</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.name}>
              <th scope="row">{row.name}</th>
              <td>{row.componentType}</td>
              <td className="status-cell">
                <StatusMark status={row.status} /> {WORDS[row.status]}
              </td>
              <td>{row.output ?? describeObserved(row.observedValue, row.observedUnit)}</td>
              <td className="status-cell">
                <time dateTime={row.time}>{row.time.replace('T', ' ').slice(0, 19)} UTC</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Updated <time dateTime={new Date(updatedAt).toISOString()}>{new Date(updatedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC</time>
      </p>
    </section>
  );
}
