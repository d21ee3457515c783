/**
 * The explorer's question: a metric of those the project has, a value for any of its labels, an
 * aggregation. A GET form, so it works before JavaScript; with it, the labels follow the metric.
 */
import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Panel } from '../../shared/Panel.tsx';
import { AGGREGATION_WORDS, AGGREGATIONS, explorerParams, type ExplorerQuery } from './explorer-query.ts';
import type { MetricListing } from './metrics-api.ts';

export function ExplorerForm({ listing, query, rangeParams }: { listing: MetricListing; query: ExplorerQuery; rangeParams: URLSearchParams }) {
  const location = useLocation();
  const navigate = useNavigate();
  const [metric, setMetric] = useState(query.metric ?? '');
  const labels = listing.metrics.find((m) => m.name === metric)?.labels ?? [];

  function show(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const match = Object.fromEntries(labels.map((label) => [label, String(form.get(`match.${label}`) ?? '')]).filter(([, value]) => value !== ''));
    const chosen: ExplorerQuery = { metric: metric || undefined, match, aggregation: form.get('aggregation') as ExplorerQuery['aggregation'] };
    const params = explorerParams(chosen);
    for (const [name, value] of rangeParams) params.set(name, value);
    void navigate({ pathname: location.pathname, search: `?${params.toString()}` });
  }

  if (listing.metrics.length === 0) {
    return (
      <Panel titleId="explorer-title" title="Query">
        <p>No metric is stored in this project yet. Push some (POST /api/metrics/push) or let Watchkeeper sample its own.</p>
      </Panel>
    );
  }
  return (
    <Panel titleId="explorer-title" title="Query">
      <form method="get" className="explorer-form" onSubmit={show}>
        {[...rangeParams].map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <div className="field">
          <label htmlFor="explorer-metric">Metric</label>
          <select id="explorer-metric" name="metric" value={metric} onChange={(event) => setMetric(event.target.value)}>
            <option value="">Choose a metric…</option>
            {listing.metrics.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        {labels.length > 0 && (
          <fieldset className="explorer-labels">
            <legend>Only the series whose label is (empty: any)</legend>
            {labels.map((label) => (
              <div className="field" key={`${metric}-${label}`}>
                <label htmlFor={`explorer-label-${label}`}>{label}</label>
                <input
                  id={`explorer-label-${label}`}
                  name={`match.${label}`}
                  defaultValue={metric === query.metric ? (query.match[label] ?? '') : ''}
                  autoComplete="off"
                />
              </div>
            ))}
          </fieldset>
        )}
        <div className="field">
          <label htmlFor="explorer-aggregation">Each step shows the</label>
          <select id="explorer-aggregation" name="aggregation" defaultValue={query.aggregation}>
            {AGGREGATIONS.map((aggregation) => (
              <option key={aggregation} value={aggregation}>
                {AGGREGATION_WORDS[aggregation]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
    </Panel>
  );
}
