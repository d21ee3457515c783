/** PagerDuty Events API v2: a trigger while the group fires, a resolve when it no longer does. */
import { z } from 'zod';
import type { Channel } from './channel.ts';
import { post } from './http-delivery.ts';
import { renderTitle, severityOf, truncate } from './message.ts';
import { httpUrl, secretString } from './schema-helpers.ts';

export const pagerdutyConfigSchema = z.strictObject({
  routingKey: secretString,
  /** Overridable for PagerDuty's EU region or a test server. */
  url: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
});
export type PagerdutyConfig = z.infer<typeof pagerdutyConfigSchema>;

export type PagerdutySeverity = 'critical' | 'error' | 'warning' | 'info';

const SEVERITIES: Record<string, PagerdutySeverity> = {
  critical: 'critical',
  page: 'critical',
  error: 'error',
  high: 'error',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  low: 'info',
  none: 'info',
};

export function pagerdutySeverity(label: string | undefined): PagerdutySeverity {
  return (label && SEVERITIES[label]) || 'error';
}

const SUMMARY_LIMIT = 1024;

export const pagerdutyChannel: Channel<PagerdutyConfig> = {
  type: 'pagerduty',
  configSchema: pagerdutyConfigSchema,
  secretFields: ['routingKey'],
  async send(config, notification, context) {
    const firing = notification.status === 'firing';
    const event = {
      routing_key: config.routingKey,
      event_action: firing ? 'trigger' : 'resolve',
      dedup_key: context.dedupKey,
      client: 'Watchkeeper',
      client_url: notification.externalURL,
      links: [{ href: notification.externalURL, text: 'View in Watchkeeper' }],
      payload: {
        summary: truncate(renderTitle(notification, { test: context.test }), SUMMARY_LIMIT),
        source: notification.commonLabels.instance ?? notification.commonLabels.job ?? 'Watchkeeper',
        severity: pagerdutySeverity(severityOf(notification)),
        custom_details: {
          firing: notification.alerts.filter((alert) => alert.status === 'firing').length,
          resolved: notification.alerts.filter((alert) => alert.status === 'resolved').length,
          truncatedAlerts: notification.truncatedAlerts,
          groupLabels: notification.groupLabels,
          alerts: notification.alerts.map(({ status, labels, annotations, startsAt, endsAt }) => ({ status, labels, annotations, startsAt, endsAt })),
        },
      },
    };
    await post({
      channel: 'pagerduty',
      url: config.url,
      body: JSON.stringify(event),
      headers: { 'Content-Type': 'application/json' },
      signal: context.signal,
      secrets: [config.routingKey],
    });
  },
};
