/**
 * What the Health pages read: the latest report (/health/status) grouped by component, and the
 * stored history (/health/history) turned into a status timeline.
 */
import type { HealthCheckEntry, HealthHistoryResponse, HealthResponse, HealthStatus } from '../../../../contracts/health.ts';
import type { Api } from '../../shared/api/client.ts';

export const STATUS_WORDS: Record<HealthStatus, string> = { pass: 'Operational', warn: 'Degraded', fail: 'Failing' };

export const DAY_MS = 24 * 3_600_000;
export const HOUR_MS = 3_600_000;

export const fetchStatus = (api: Api) => api<HealthResponse>('/health/status', { answers: [503] });

export function fetchHistory(api: Api, { component, windowMs, limit, now }: { component?: string; windowMs: number; limit: number; now: number }) {
  const query = new URLSearchParams({ from: new Date(now - windowMs).toISOString(), to: new Date(now).toISOString(), limit: String(limit) });
  if (component !== undefined) query.set('component', component);
  return api<HealthHistoryResponse>(`/health/history?${query.toString()}`);
}

/** One component of the report: its check (the `responseTime` entry) and its other measurements. */
export interface ComponentReport {
  name: string;
  check: HealthCheckEntry;
  measurements: Array<HealthCheckEntry & { name: string }>;
}

const CHECK = ':responseTime';

export function componentReports(report: HealthResponse): ComponentReport[] {
  const byName = new Map<string, ComponentReport>();
  for (const [key, entries] of Object.entries(report.checks)) {
    if (key.endsWith(CHECK) && entries[0]) byName.set(key.slice(0, -CHECK.length), { name: key.slice(0, -CHECK.length), check: entries[0], measurements: [] });
  }
  for (const [key, entries] of Object.entries(report.checks)) {
    if (key.endsWith(CHECK)) continue;
    const separator = key.lastIndexOf(':');
    const owner = byName.get(key.slice(0, separator));
    if (owner) for (const entry of entries) owner.measurements.push({ ...entry, name: key.slice(separator + 1) });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A stretch of the window in one status; `unknown` where no check tells. */
export interface TimelineSegment {
  from: number;
  to: number;
  status: HealthStatus | 'unknown';
}

/**
 * The window as stretches of one status, from the state changes in it: before the first change the
 * component was in that change's `from` status (unknown for the first result after a start);
 * without changes, in its status now if it was checked in the window at all.
 */
export function timelineOf(
  component: HealthHistoryResponse['components'][number] | undefined,
  window: { from: number; to: number },
  current: HealthStatus | undefined,
): TimelineSegment[] {
  const changes = [...(component?.stateChanges ?? [])].sort((a, b) => a.at.localeCompare(b.at));
  if (changes.length === 0) {
    return [{ ...window, status: current !== undefined && (component?.samples ?? 0) > 0 ? current : 'unknown' }];
  }
  const segments: TimelineSegment[] = [];
  let at = window.from;
  let status: TimelineSegment['status'] = changes[0]!.from ?? 'unknown';
  for (const change of changes) {
    const time = Math.min(Math.max(Date.parse(change.at), window.from), window.to);
    if (time > at) segments.push({ from: at, to: time, status });
    at = time;
    status = change.to;
  }
  if (window.to > at) segments.push({ from: at, to: window.to, status });
  return segments;
}

/** How long each status lasted in the timeline, as shares of the window, for the words beside it. */
export function describeTimeline(segments: TimelineSegment[]): string {
  const total = segments.reduce((sum, s) => sum + (s.to - s.from), 0) || 1;
  const shares = new Map<string, number>();
  for (const s of segments) shares.set(s.status, (shares.get(s.status) ?? 0) + (s.to - s.from));
  const words: Record<TimelineSegment['status'], string> = { pass: 'operational', warn: 'degraded', fail: 'failing', unknown: 'not checked' };
  return [...shares.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([status, ms]) => `${words[status as TimelineSegment['status']]} ${formatPercent((ms / total) * 100)}`)
    .join(', ');
}

export function formatPercent(value: number): string {
  return `${value === 100 || value === 0 ? value.toFixed(0) : value.toFixed(value > 99 ? 2 : 1)} %`;
}

export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

export const utc = (iso: string, length = 19) => `${iso.replace('T', ' ').slice(0, length)} UTC`;

/**
 * Watchkeeper's own health is the system organization's: someone whose rights lie elsewhere gets
 * the page saying so (with the server's reason) rather than a failure.
 */
export async function unlessRefused<T>(work: Promise<T>): Promise<{ value: T; refused: null } | { value: null; refused: string }> {
  try {
    return { value: await work, refused: null };
  } catch (error) {
    if ((error as { status?: number }).status !== 403) throw error;
    return { value: null, refused: (error as Error).message };
  }
}
