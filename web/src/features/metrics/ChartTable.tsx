/** A chart's values as a table, newest first: the chart's alternative for a screen reader or a keyboard. */
import type { AlignedLines } from './metric-series.ts';
import { formatMetricValue, type MetricUnit } from './metric-units.ts';

const utcSecond = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;

export function ChartTable({ caption, aligned, names, unit }: { caption: string; aligned: AlignedLines; names: string[]; unit: MetricUnit }) {
  const rows = aligned.times.map((time, i) => ({ time, values: aligned.values.map((line) => line[i] ?? null) })).reverse();
  return (
    // Focusable, so a keyboard can scroll a long table; named by what it holds.
    <div className="chart-table-scroll" tabIndex={0} role="group" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th>
            {names.map((name, i) => (
              <th scope="col" key={`${i}-${name}`} className="number-cell">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.time}>
              <th scope="row">
                <time dateTime={new Date(row.time * 1000).toISOString()}>{utcSecond(row.time)}</time>
              </th>
              {row.values.map((value, i) => (
                <td key={i} className="number-cell">
                  {formatMetricValue(value, unit)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
