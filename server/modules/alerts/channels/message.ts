/**
 * The words of a notification, shared by the chat channels and email so every receiver reads
 * alike: a title in Alertmanager's default form, a few lines per alert, and a link back.
 */
import type { NotifiedAlert, Notification } from '../notification.ts';

export interface RenderOptions {
  /** The "send test" action: every title says so. */
  test?: boolean | undefined;
}

export interface RenderedAlert {
  status: NotifiedAlert['status'];
  /** `summary`, else the alert's name. */
  heading: string;
  description: string | undefined;
  /** Labels other than the ones the whole group shares, as `name=value`. */
  labels: [string, string][];
  startsAt: string;
  generatorURL: string;
}

/**
 * Alertmanager's default title: `[FIRING:2] DatabaseDown (db1 critical)` — the status, the number
 * firing, the group labels' values, then the common labels that are not group labels.
 */
export function renderTitle(notification: Notification, { test = false }: RenderOptions = {}): string {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing').length;
  const status = notification.status === 'firing' ? `FIRING:${firing}` : 'RESOLVED';
  const groupValues = sortedValues(notification.groupLabels);
  const extra = Object.fromEntries(Object.entries(notification.commonLabels).filter(([name]) => !(name in notification.groupLabels)));
  const extraValues = sortedValues(extra);
  const parts = [`[${status}]`, groupValues.join(' ')];
  if (extraValues.length > 0) parts.push(`(${extraValues.join(' ')})`);
  return `${test ? '[TEST] ' : ''}${parts.filter(Boolean).join(' ')}`;
}

export function renderAlert(alert: NotifiedAlert, notification: Notification): RenderedAlert {
  const heading = alert.annotations.summary ?? alert.labels.alertname ?? 'Alert';
  const labels = Object.entries(alert.labels)
    .filter(([name, value]) => notification.commonLabels[name] !== value)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { status: alert.status, heading, description: alert.annotations.description, labels, startsAt: alert.startsAt, generatorURL: alert.generatorURL };
}

/** Firing alerts first: they are what the reader acts on. */
export function renderAlerts(notification: Notification): RenderedAlert[] {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing');
  const resolved = notification.alerts.filter((alert) => alert.status !== 'firing');
  return [...firing, ...resolved].map((alert) => renderAlert(alert, notification));
}

/** Plain lines for one alert: `• [firing] summary`, then the description and distinct labels. */
export function alertLines(alert: RenderedAlert): string[] {
  const lines = [`• [${alert.status}] ${alert.heading}`];
  if (alert.description) lines.push(`  ${alert.description}`);
  if (alert.labels.length > 0) lines.push(`  ${alert.labels.map(([name, value]) => `${name}=${value}`).join(', ')}`);
  return lines;
}

export function testNotice(options: RenderOptions): string | undefined {
  return options.test ? 'This is a test notification sent from Watchkeeper.' : undefined;
}

/** The whole message as plain text (email's text part, ntfy, the fallback of chat messages). */
export function renderText(notification: Notification, options: RenderOptions = {}): string {
  const lines: string[] = [];
  const notice = testNotice(options);
  if (notice) lines.push(notice, '');
  for (const alert of renderAlerts(notification)) lines.push(...alertLines(alert));
  if (notification.truncatedAlerts > 0) lines.push(`… and ${notification.truncatedAlerts} more alerts not shown`);
  lines.push('', `View in Watchkeeper: ${notification.externalURL}`);
  return lines.join('\n');
}

/** Cuts to `max` characters (code points are not split), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** The severity label the group carries: the common one, else the first alert's. */
export function severityOf(notification: Notification): string | undefined {
  return (notification.commonLabels.severity ?? notification.alerts[0]?.labels.severity)?.toLowerCase();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const STATUS_COLOUR = { firing: '#d63232', resolved: '#2eb67d' } as const;

function sortedValues(labels: Record<string, string>): string[] {
  return Object.keys(labels)
    .sort()
    .map((name) => labels[name] ?? '');
}
