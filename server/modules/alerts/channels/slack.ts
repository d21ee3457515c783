/** Slack through an incoming webhook: one attachment coloured by status, the title linking back. */
import { z } from 'zod';
import type { Channel } from './channel.ts';
import { post } from './http-delivery.ts';
import { STATUS_COLOUR, alertLines, renderAlerts, renderTitle, testNotice, truncate } from './message.ts';
import { httpUrl } from './schema-helpers.ts';

export const slackConfigSchema = z.strictObject({
  /** The webhook URL is itself the credential. */
  url: httpUrl,
  channel: z.string().min(1).optional(),
  username: z.string().min(1).default('Watchkeeper'),
});
export type SlackConfig = z.infer<typeof slackConfigSchema>;

// Slack cuts attachment text well beyond this; staying short keeps the message readable.
const TEXT_LIMIT = 3000;

/** Slack's mrkdwn gives &, < and > meaning (links, mentions); they are escaped as it documents. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const slackChannel: Channel<SlackConfig> = {
  type: 'slack',
  configSchema: slackConfigSchema,
  secretFields: ['url'],
  async send(config, notification, context) {
    const title = renderTitle(notification, { test: context.test });
    const lines: string[] = [];
    const notice = testNotice({ test: context.test });
    if (notice) lines.push(`_${notice}_`);
    for (const alert of renderAlerts(notification)) lines.push(...alertLines(alert));
    if (notification.truncatedAlerts > 0) lines.push(`… and ${notification.truncatedAlerts} more`);
    const text = truncate(escapeSlack(lines.join('\n')), TEXT_LIMIT);
    const body = {
      ...(config.channel ? { channel: config.channel } : {}),
      username: config.username,
      text: escapeSlack(title),
      attachments: [
        {
          color: STATUS_COLOUR[notification.status],
          title: truncate(title, 256),
          title_link: notification.externalURL,
          text,
          fallback: truncate(title, 256),
          mrkdwn_in: ['text'],
        },
      ],
    };
    await post({ channel: 'slack', url: config.url, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, signal: context.signal });
  },
};
