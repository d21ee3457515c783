/** The words the status pages use for states, dates and times: English, UTC, the same on server and client. */
import type { HealthStatus } from '../../../../contracts/health.ts';
import type { AnyIncidentStatus, Impact, OverallStatus } from '../../../../contracts/status-pages.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-12` → `12 Nov`. */
export function shortDate(date: string): string {
  const [, month, day] = date.split('-');
  return `${Number(day)} ${MONTHS[Number(month) - 1]}`;
}

/** An instant as `12 Nov 2026, 14:05 UTC`. */
export function when(instant: string): string {
  const d = new Date(instant);
  const time = d.toISOString().slice(11, 16);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${time} UTC`;
}

export const COMPONENT_WORDS: Record<HealthStatus | 'none', string> = { pass: 'Operational', warn: 'Degraded', fail: 'Outage', none: 'No data' };

export const OVERALL_WORDS: Record<OverallStatus, string> = {
  operational: 'All systems operational',
  degraded: 'Some systems are degraded',
  outage: 'Some systems are down',
  maintenance: 'Maintenance in progress',
};

export const STATUS_WORDS: Record<AnyIncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  scheduled: 'Scheduled',
  'in-progress': 'In progress',
  completed: 'Completed',
};

export const IMPACT_WORDS: Record<Impact, string> = { none: 'No impact', minor: 'Minor impact', major: 'Major impact', critical: 'Critical impact' };

/** `99.8%`; whole numbers without decimals. */
export function percent(value: number): string {
  return `${Number.isInteger(value) ? value : value.toFixed(value >= 99.95 && value < 100 ? 2 : 1)}%`;
}
