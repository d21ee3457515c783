/**
 * One chart as a panel: its title and what it means, a summary in words, the legend, the chart
 * and a "Show table" disclosure with the same values. Without data in the range it says so; when
 * a refresh fails it keeps the last answer and says since when. A first fetch that fails throws
 * to the panel's boundary, which offers a retry.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import type { ChartSpec } from './chart-spec.ts';
import { ChartTable } from './ChartTable.tsx';
import { lineClass, lineDash } from './line-styles.ts';
import { alignLines, describeLine } from './metric-series.ts';
import type { ChartData } from './metrics-api.ts';
import { MetricChart } from './MetricChart.tsx';
import { describeRange, type TimeRange } from './time-range.ts';
import { chartKey, useChartData, type InitialChart } from './use-chart-data.ts';

interface ChartPanelProps {
  /** The project the data is of: a switch of project is another query. */
  scope: string;
  spec: ChartSpec;
  range: TimeRange;
  initial: InitialChart | undefined;
}

/** The panel in its boundary: a retry fetches the chart's data again before it renders again. */
export function GuardedChartPanel(props: ChartPanelProps) {
  const queryClient = useQueryClient();
  return (
    <PanelBoundary title={props.spec.title} onRetry={() => queryClient.refetchQueries({ queryKey: chartKey(props.scope, props.spec, props.range) })}>
      <ChartPanel {...props} />
    </PanelBoundary>
  );
}

function ChartPanel({ scope, spec, range, initial }: ChartPanelProps) {
  const query = useChartData(scope, spec, range, initial);
  if (query.error && !query.data) throw query.error;
  const titleId = `chart-${spec.id.replace(/[^a-zA-Z0-9_-]/g, '-')}-title`;
  return (
    <Panel titleId={titleId} title={spec.title} className="chart-panel">
      <p className="muted">{spec.description}</p>
      {query.data ? (
        <ChartBody spec={spec} range={range} data={query.data} />
      ) : (
        <p role="status" className="muted">
          Loading…
        </p>
      )}
      {query.error && query.data && (
        <p className="form-error" role="status">
          Could not refresh ({query.error.message}): showing the data as of {new Date(query.dataUpdatedAt).toISOString().slice(11, 19)} UTC.
        </p>
      )}
    </Panel>
  );
}

function ChartBody({ spec, range, data }: { spec: ChartSpec; range: TimeRange; data: ChartData }) {
  const aligned = useMemo(() => alignLines(data.lines), [data.lines]);
  const names = useMemo(() => data.lines.map((line) => line.name), [data.lines]);
  const window = useMemo(() => ({ from: data.from, to: data.to }), [data.from, data.to]);
  const where = describeRange(range);
  if (aligned.times.length === 0) {
    return (
      <p className="chart-empty">
        No data in {where}
        {spec.queries.length > 0 && `: nothing recorded for ${spec.queries.map((q) => q.metric).join(', ')}`}.
      </p>
    );
  }
  const summary = data.lines.map((line) => describeLine(line, spec.unit)).join('; ');
  return (
    <figure className="chart-figure">
      <figcaption className="chart-summary">
        Over {where}: {summary}.
      </figcaption>
      {names.length > 1 && (
        <ul className="chart-legend" aria-label={`${spec.title}: lines`}>
          {names.map((name, i) => (
            <li key={`${i}-${name}`}>
              <svg className="legend-line" width="28" height="8" aria-hidden="true">
                <line className={lineClass(i)} x1="0" y1="4" x2="28" y2="4" strokeWidth="2" strokeDasharray={lineDash(i).join(' ') || undefined} />
              </svg>{' '}
              {name}
            </li>
          ))}
        </ul>
      )}
      <MetricChart aligned={aligned} names={names} unit={spec.unit} label={`${spec.title} over ${where}: ${summary}`} range={window} yMax={spec.yMax} />
      {data.truncated && <p className="muted">More series matched than one chart holds: only the first are drawn.</p>}
      <details className="chart-table">
        <summary>
          Show table<span className="visually-hidden"> of {spec.title}</span>
        </summary>
        <ChartTable caption={`${spec.title} over ${where}, every ${data.stepSeconds} s, newest first`} aligned={aligned} names={names} unit={spec.unit} />
      </details>
    </figure>
  );
}
