/**
 * What the public status page says, built from the page's settings, the monitor's latest states,
 * the daily history and the incidents. Only the components the page shows appear, by name: an
 * incident's other components (chosen before the page changed) are left out, never named.
 */
import type { HealthStatus } from '../../../contracts/health.ts';
import {
  STATUS_HISTORY_DAYS,
  type Incident,
  type OverallStatus,
  type PublicComponent,
  type PublicIncident,
  type PublicStatus,
  type StatusDay,
  type StatusPageSettings,
} from '../../../contracts/status-pages.ts';

const DAY_MS = 86_400_000;

/** UTC midnight of the first of the `days` days ending today. */
export function historyStart(now: Date, days = STATUS_HISTORY_DAYS): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/** Each day from `start`, with its uptime or none. */
export function dayStrip(start: Date, known: Map<string, Omit<StatusDay, 'date'>> | undefined, days = STATUS_HISTORY_DAYS): StatusDay[] {
  return Array.from({ length: days }, (_, i) => {
    const date = new Date(start.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    return { date, ...(known?.get(date) ?? { uptimePercent: null, samples: 0, failures: 0 }) };
  });
}

/** The page's name of each component: its own, with the project's when two projects share it. */
export function componentNames(keys: readonly string[], projects: Map<string, string>): Map<string, string> {
  const nameOf = (key: string) => key.slice(key.indexOf('/') + 1);
  const counts = new Map<string, number>();
  keys.forEach((key) => counts.set(nameOf(key), (counts.get(nameOf(key)) ?? 0) + 1));
  return new Map(
    keys.map((key) => {
      const name = nameOf(key);
      const project = projects.get(key.slice(0, key.indexOf('/'))) ?? 'unknown project';
      return [key, (counts.get(name) ?? 0) > 1 ? `${project} / ${name}` : name];
    }),
  );
}

function uptimeOver(days: StatusDay[]): number | null {
  const samples = days.reduce((sum, d) => sum + d.samples, 0);
  if (samples === 0) return null;
  const up = days.reduce((sum, d) => sum + (d.uptimePercent === null ? 0 : (d.uptimePercent / 100) * d.samples), 0);
  return Math.floor((up / samples) * 100_000) / 1000;
}

export interface PublicStatusInput {
  settings: StatusPageSettings;
  names: Map<string, string>;
  statusOf: (key: string) => HealthStatus | undefined;
  daily: Map<string, Map<string, Omit<StatusDay, 'date'>>>;
  start: Date;
  incidents: Incident[];
  now: Date;
}

export function buildPublicStatus({ settings, names, statusOf, daily, start, incidents, now }: PublicStatusInput): PublicStatus {
  const components: PublicComponent[] = settings.components.map((key) => {
    const days = dayStrip(start, daily.get(key));
    return { name: names.get(key) ?? key, status: statusOf(key) ?? null, uptimePercent: uptimeOver(days), days };
  });
  const shown = (incident: Incident): PublicIncident => ({
    ...incident,
    components: incident.components.flatMap((key) => (settings.components.includes(key) ? [names.get(key) ?? key] : [])),
  });
  const open = incidents.filter((i) => i.closedAt === null);
  const active = open.filter((i) => i.kind === 'incident' || i.status === 'in-progress' || (i.startsAt !== null && Date.parse(i.startsAt) <= now.getTime()));
  const upcoming = open.filter((i) => !active.includes(i)).sort((a, b) => Date.parse(a.startsAt ?? '') - Date.parse(b.startsAt ?? ''));
  const past = incidents.filter((i) => i.closedAt !== null).sort((a, b) => Date.parse(b.closedAt!) - Date.parse(a.closedAt!));
  return {
    title: settings.title,
    status: overall(components, active),
    generatedAt: now.toISOString(),
    components,
    active: active.map(shown),
    upcoming: upcoming.map(shown),
    past: past.map(shown),
  };
}

function overall(components: PublicComponent[], active: Incident[]): OverallStatus {
  const incidents = active.filter((i) => i.kind === 'incident');
  if (components.some((c) => c.status === 'fail') || incidents.some((i) => i.impact === 'major' || i.impact === 'critical')) return 'outage';
  if (components.some((c) => c.status === 'warn') || incidents.length > 0) return 'degraded';
  if (active.some((i) => i.kind === 'maintenance')) return 'maintenance';
  return 'operational';
}
