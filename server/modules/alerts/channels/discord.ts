/** Discord through a channel webhook: one embed coloured by status, within Discord's limits. */
import { z } from 'zod';
import type { Channel } from './channel.ts';
import { post } from './http-delivery.ts';
import { STATUS_COLOUR, alertLines, renderAlerts, renderTitle, testNotice, truncate } from './message.ts';
import { httpUrl } from './schema-helpers.ts';

export const discordConfigSchema = z.strictObject({
  /** The webhook URL holds the webhook's token: it is the credential. */
  url: httpUrl,
  username: z.string().min(1).max(80).default('Watchkeeper'),
  avatarUrl: httpUrl.optional(),
});
export type DiscordConfig = z.infer<typeof discordConfigSchema>;

// Discord refuses (400) an embed over these, so they are cut rather than sent and dead-lettered.
export const DISCORD_TITLE_LIMIT = 256;
export const DISCORD_DESCRIPTION_LIMIT = 4096;

export const discordChannel: Channel<DiscordConfig> = {
  type: 'discord',
  configSchema: discordConfigSchema,
  secretFields: ['url'],
  async send(config, notification, context) {
    const lines: string[] = [];
    const notice = testNotice({ test: context.test });
    if (notice) lines.push(`*${notice}*`);
    for (const alert of renderAlerts(notification)) lines.push(...alertLines(alert));
    if (notification.truncatedAlerts > 0) lines.push(`… and ${notification.truncatedAlerts} more`);
    const body = {
      username: config.username,
      ...(config.avatarUrl ? { avatar_url: config.avatarUrl } : {}),
      // No pings: a label value such as "@everyone" must not notify a whole server.
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: truncate(renderTitle(notification, { test: context.test }), DISCORD_TITLE_LIMIT),
          description: truncate(lines.join('\n'), DISCORD_DESCRIPTION_LIMIT),
          url: notification.externalURL,
          color: Number.parseInt(STATUS_COLOUR[notification.status].slice(1), 16),
        },
      ],
    };
    await post({ channel: 'discord', url: config.url, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, signal: context.signal });
  },
};
