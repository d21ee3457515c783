/**
 * One component: its status now with a "Run check now", its timeline and state changes over the
 * last 24 hours, the recovery actions that ran, and its latency over the last hour against the
 * detector's baseline — a chart once the client has taken over, a summary and a table always
 * (server-rendered, so they read the same without JavaScript).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useLoaderData, useParams, type LoaderFunctionArgs } from 'react-router';
import type { HealthHistoryResponse, HealthResponse } from '../../../../contracts/health.ts';
import { apiFrom, orRouteError } from '../../app/loader-api.ts';
import type { PageHandle } from '../../app/routes.tsx';
import { ApiError, browserApi, type Api } from '../../shared/api/client.ts';
import { sendOrQueue, useQueuedOutcome } from '../../shared/offline/action-queue.ts';
import { describeOutcome } from '../../shared/offline/QueuedActions.tsx';
import { Panel } from '../../shared/Panel.tsx';
import { PanelBoundary } from '../../shared/PanelBoundary.tsx';
import { describeObserved } from '../overview/ComponentTable.tsx';
import { StatusMark } from '../overview/StatusBanner.tsx';
import {
  componentReports,
  DAY_MS,
  describeTimeline,
  fetchHistory,
  fetchStatus,
  formatMs,
  formatPercent,
  HOUR_MS,
  STATUS_WORDS,
  timelineOf,
  unlessRefused,
  utc,
  type ComponentReport,
} from './health-data.ts';
import { LatencyChart } from './LatencyChart.tsx';
import { NotYours } from './NotYours.tsx';
import { StatusTimeline } from './StatusTimeline.tsx';

export const handle: PageHandle = { title: ({ params }) => `${params.component ?? 'Component'} · Health` };

/** The latest hour's samples (a check every 15 s is 240), at most a page of them. */
const SERIES_LIMIT = 1000;

function fetchAll(api: Api, component: string, now: number) {
  return Promise.all([
    fetchStatus(api),
    fetchHistory(api, { component, windowMs: DAY_MS, limit: 1, now }),
    fetchHistory(api, { component, windowMs: HOUR_MS, limit: SERIES_LIMIT, now }),
  ]);
}

export async function loader({ context, params }: LoaderFunctionArgs) {
  const component = params.component!;
  const now = Date.now();
  // An unknown component is the history's 404, shown as this page's.
  const read = await orRouteError(unlessRefused(fetchAll(apiFrom(context), component, now)));
  if (!read.value) return { component, refused: read.refused } as const;
  const [status, day, hour] = read.value;
  return { component, status, day, hour, at: now, refused: null };
}

interface Data {
  status: HealthResponse;
  day: HealthHistoryResponse;
  hour: HealthHistoryResponse;
}

export function Component() {
  const initial = useLoaderData<typeof loader>();
  if (initial.refused !== null) return <NotYours title={initial.component} reason={initial.refused} />;
  return <ComponentHealth initial={initial} />;
}

function ComponentHealth({ initial }: { initial: Data & { component: string; at: number } }) {
  const component = useParams().component ?? initial.component;
  const query = useQuery({
    queryKey: ['health', 'component', component],
    queryFn: async (): Promise<Data> => {
      const [status, day, hour] = await fetchAll(browserApi, component, Date.now());
      return { status, day, hour };
    },
    initialData: initial.component === component ? { status: initial.status, day: initial.day, hour: initial.hour } : undefined,
    initialDataUpdatedAt: initial.at,
    refetchInterval: 30_000,
  });
  if (!query.data) return <h1>{component}</h1>;
  const { status, day, hour } = query.data;
  const report = componentReports(status).find((r) => r.name === component);
  const dayStats = day.components.find((c) => c.component === component);
  const hourStats = hour.components.find((c) => c.component === component);
  const window = { from: Date.parse(day.from), to: Date.parse(day.to) };
  const segments = timelineOf(dayStats, window, report?.check.status);
  return (
    <>
      <h1>{component}</h1>
      <PanelBoundary title="Status now" onRetry={query.refetch}>
        <StatusNow component={component} report={report} refetch={query.refetch} />
      </PanelBoundary>
      <PanelBoundary title="Last 24 hours" onRetry={query.refetch}>
        <Panel titleId="timeline-title" title="Last 24 hours">
          <p>
            Uptime {dayStats?.uptimePercent != null ? formatPercent(dayStats.uptimePercent) : '— (no checks)'} over {dayStats?.samples ?? 0} checks, from{' '}
            {utc(day.from, 16)} to {utc(day.to, 16)}.
          </p>
          <StatusTimeline segments={segments} label={`${component}, last 24 hours`} height={20} />
          <p className="muted">States: {describeTimeline(segments)}.</p>
        </Panel>
      </PanelBoundary>
      <PanelBoundary title="Latency" onRetry={query.refetch}>
        <Latency component={component} hour={hour} stats={hourStats} />
      </PanelBoundary>
      <div className="overview-history">
        <PanelBoundary title="State changes" onRetry={query.refetch}>
          <StateChanges stats={dayStats} />
        </PanelBoundary>
        <PanelBoundary title="Recovery actions" onRetry={query.refetch}>
          <Recoveries stats={dayStats} />
        </PanelBoundary>
      </div>
    </>
  );
}

type Outcome = { kind: 'running' } | { kind: 'done'; at: string } | { kind: 'queued' } | { kind: 'refused'; reason: string };

function StatusNow({ component, report, refetch }: { component: string; report: ComponentReport | undefined; refetch: () => Promise<unknown> }) {
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [queued, watchQueued] = useQueuedOutcome();
  // Once per delivery: `refetch` may be a new function at every render.
  const delivered = queued?.kind === 'delivered' ? queued.action.id : undefined;
  const refetchLatest = useRef(refetch);
  refetchLatest.current = refetch;
  useEffect(() => {
    if (delivered !== undefined) void refetchLatest.current();
  }, [delivered]);
  // The button needs the client: without JavaScript the page says when checks run instead.
  const [interactive, setInteractive] = useState(false);
  useEffect(() => setInteractive(true), []);

  async function runNow() {
    setOutcome({ kind: 'running' });
    watchQueued(undefined);
    try {
      const sent = await sendOrQueue<HealthResponse>({
        label: `Check ${component} now`,
        method: 'POST',
        path: `/health/test/${encodeURIComponent(component)}`,
      });
      if (sent.queued) {
        watchQueued(sent.id);
        return setOutcome({ kind: 'queued' });
      }
    } catch (error) {
      // A failing check answers 503 with its report: that is a result, not a refusal.
      if (!(error instanceof ApiError) || error.status !== 503 || error.problem) {
        return setOutcome({ kind: 'refused', reason: error instanceof Error ? error.message : String(error) });
      }
    }
    await refetch();
    void queryClient.invalidateQueries({ queryKey: ['health', 'status'] });
    setOutcome({ kind: 'done', at: new Date().toISOString() });
  }

  const check = report?.check;
  return (
    <Panel titleId="now-title" title="Status now">
      {check ? (
        <>
          <p className="component-status" aria-live="polite" aria-atomic="true">
            <StatusMark status={check.status} /> <strong>{STATUS_WORDS[check.status]}</strong>
            {check.output && <span> — {check.output}</span>}
            <br />
            <span className="muted">
              Checked <time dateTime={check.time}>{utc(check.time)}</time> in {formatMs(typeof check.observedValue === 'number' ? check.observedValue : null)}.
            </span>
          </p>
          {report.measurements.length > 0 && (
            <dl className="measurements">
              {report.measurements.map((m) => (
                <div key={m.name}>
                  <dt>{m.name}</dt>
                  <dd>
                    <StatusMark status={m.status} /> {STATUS_WORDS[m.status]}: {m.output ?? describeObserved(m.observedValue, m.observedUnit)}
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </>
      ) : (
        <p>This instance does not check {component} now; its stored history is below.</p>
      )}
      {check &&
        (interactive ? (
          <div className="run-check">
            <button type="button" onClick={() => void runNow()} disabled={outcome?.kind === 'running'}>
              Run check now
            </button>
            <p role="status" className="run-check-outcome">
              {outcome?.kind === 'running' && 'Checking…'}
              {outcome?.kind === 'done' && (
                <>
                  Checked at <time dateTime={outcome.at}>{utc(outcome.at)}</time>: {STATUS_WORDS[check.status].toLowerCase()}.
                </>
              )}
              {outcome?.kind === 'queued' &&
                (queued && queued.kind !== 'queued'
                  ? `The queued check: ${describeOutcome(queued)}.`
                  : 'Watchkeeper cannot be reached: the check will run when it can.')}
              {outcome?.kind === 'refused' && `The check could not be run: ${outcome.reason}`}
            </p>
          </div>
        ) : (
          <p className="muted">Checks run on a schedule; running one now needs JavaScript.</p>
        ))}
    </Panel>
  );
}

function Latency({
  component,
  hour,
  stats,
}: {
  component: string;
  hour: HealthHistoryResponse;
  stats: HealthHistoryResponse['components'][number] | undefined;
}) {
  const baseline = stats?.latencyBaseline ?? null;
  const samples = hour.samples;
  const latest = samples.at(-1);
  const summary = [
    `${stats?.samples ?? 0} checks in the last hour`,
    stats?.latencyMs.p50 != null ? `median ${formatMs(stats.latencyMs.p50)}, p95 ${formatMs(stats.latencyMs.p95)}` : 'no latency measured',
    latest ? `latest ${formatMs(latest.latencyMs)}` : undefined,
    baseline
      ? `baseline p95 ${formatMs(baseline.p95Ms)}, slow above ${formatMs(baseline.thresholdMs)}${baseline.judging ? '' : ` (still forming: ${baseline.samples} checks)`}`
      : 'no baseline yet',
  ]
    .filter(Boolean)
    .join('; ');
  return (
    <Panel titleId="latency-title" title="Latency, last hour">
      <figure className="latency-figure">
        <figcaption id="latency-summary">{summary}.</figcaption>
        <ul className="chart-legend" aria-label="Chart lines">
          <li>
            <span className="swatch swatch-latency" aria-hidden="true" /> latency of each check
          </li>
          {baseline && (
            <>
              <li>
                <span className="swatch swatch-baseline" aria-hidden="true" /> baseline p95
              </li>
              <li>
                <span className="swatch swatch-threshold" aria-hidden="true" /> slow threshold
              </li>
            </>
          )}
        </ul>
        {samples.length > 0 && <LatencyChart samples={samples} baseline={baseline} label={`Latency of ${component} over the last hour: ${summary}`} />}
      </figure>
      {hour.nextCursor && <p className="muted">Only the first {samples.length} checks of the hour are shown.</p>}
      <details className="chart-table">
        <summary>Latency as a table</summary>
        <table>
          <caption>
            Checks of {component} in the last hour, newest first{baseline ? `, against a baseline p95 of ${formatMs(baseline.p95Ms)}` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Checked</th>
              <th scope="col">Status</th>
              <th scope="col">Latency</th>
              <th scope="col">Above threshold</th>
            </tr>
          </thead>
          <tbody>
            {[...samples].reverse().map((sample) => (
              <tr key={sample.id}>
                <th scope="row">
                  <time dateTime={sample.checkedAt}>{utc(sample.checkedAt)}</time>
                </th>
                <td className="status-cell">
                  <StatusMark status={sample.status} /> {STATUS_WORDS[sample.status]}
                </td>
                <td>{formatMs(sample.latencyMs)}</td>
                <td>{baseline && sample.latencyMs !== null ? (sample.latencyMs > baseline.thresholdMs ? 'yes' : 'no') : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Panel>
  );
}

const WORDS = { pass: 'operational', warn: 'degraded', fail: 'failing' } as const;

function StateChanges({ stats }: { stats: HealthHistoryResponse['components'][number] | undefined }) {
  const changes = [...(stats?.stateChanges ?? [])].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <Panel titleId="changes-title" title="State changes">
      {changes.length === 0 ? (
        <p>No state change in the last 24 hours.</p>
      ) : (
        <ol className="state-changes" aria-label="State changes, newest first">
          {changes.map((change) => (
            <li key={change.at}>
              <time dateTime={change.at}>{utc(change.at)}</time>: {change.from ? WORDS[change.from] : 'first result'} → <StatusMark status={change.to} />{' '}
              {WORDS[change.to]}
              {change.output && <span className="muted"> — {change.output}</span>}
            </li>
          ))}
        </ol>
      )}
      {stats?.truncated && <p className="muted">Only the newest are listed.</p>}
    </Panel>
  );
}

function Recoveries({ stats }: { stats: HealthHistoryResponse['components'][number] | undefined }) {
  const recoveries = [...(stats?.recoveries ?? [])].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <Panel titleId="recoveries-title" title="Recovery actions">
      {recoveries.length === 0 ? (
        <p>No recovery action ran in the last 24 hours.</p>
      ) : (
        <ol className="state-changes">
          {recoveries.map((recovery) => (
            <li key={recovery.at}>
              <time dateTime={recovery.at}>{utc(recovery.at)}</time>: <strong>{recovery.action ?? 'recovery'}</strong> {recovery.outcome ?? ''}
              {recovery.output && <span className="muted"> — {recovery.output}</span>}
            </li>
          ))}
        </ol>
      )}
    </Panel>
  );
}
