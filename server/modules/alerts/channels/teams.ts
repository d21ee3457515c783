/** Microsoft Teams through a Workflows webhook: an Adaptive Card inside the message envelope. */
import { z } from 'zod';
import type { Channel } from './channel.ts';
import { post } from './http-delivery.ts';
import { renderAlerts, renderTitle, testNotice, truncate } from './message.ts';
import { httpUrl } from './schema-helpers.ts';

export const teamsConfigSchema = z.strictObject({
  /** The Workflows webhook URL carries its signature in the query: it is the credential. */
  url: httpUrl,
});
export type TeamsConfig = z.infer<typeof teamsConfigSchema>;

// Teams refuses messages over ~28 KB; a bounded number of alerts keeps the card under it.
const MAX_ALERTS_SHOWN = 20;

export const teamsChannel: Channel<TeamsConfig> = {
  type: 'teams',
  configSchema: teamsConfigSchema,
  secretFields: ['url'],
  async send(config, notification, context) {
    const alerts = renderAlerts(notification);
    const shown = alerts.slice(0, MAX_ALERTS_SHOWN);
    const hidden = alerts.length - shown.length + notification.truncatedAlerts;
    const notice = testNotice({ test: context.test });
    const body: unknown[] = [
      {
        type: 'TextBlock',
        text: renderTitle(notification, { test: context.test }),
        weight: 'Bolder',
        size: 'Medium',
        wrap: true,
        color: notification.status === 'firing' ? 'Attention' : 'Good',
      },
    ];
    if (notice) body.push({ type: 'TextBlock', text: notice, isSubtle: true, wrap: true });
    for (const alert of shown) {
      body.push({ type: 'TextBlock', text: truncate(`[${alert.status}] ${alert.heading}`, 500), weight: 'Bolder', wrap: true, separator: true });
      if (alert.description) body.push({ type: 'TextBlock', text: truncate(alert.description, 1000), wrap: true });
      if (alert.labels.length > 0) body.push({ type: 'FactSet', facts: alert.labels.map(([title, value]) => ({ title, value: truncate(value, 200) })) });
    }
    if (hidden > 0) body.push({ type: 'TextBlock', text: `… and ${hidden} more alerts`, isSubtle: true, wrap: true });
    const message = {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            msteams: { width: 'Full' },
            body,
            actions: [{ type: 'Action.OpenUrl', title: 'View in Watchkeeper', url: notification.externalURL }],
          },
        },
      ],
    };
    await post({ channel: 'teams', url: config.url, body: JSON.stringify(message), headers: { 'Content-Type': 'application/json' }, signal: context.signal });
  },
};
