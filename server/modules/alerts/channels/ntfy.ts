/** ntfy: the plain-text message POSTed to a topic, with its title, priority and tags as headers. */
import { z } from 'zod';
import type { Channel } from './channel.ts';
import { post } from './http-delivery.ts';
import { renderText, renderTitle, severityOf, truncate } from './message.ts';
import { httpUrl, secretString } from './schema-helpers.ts';

export const ntfyConfigSchema = z
  .strictObject({
    /** Server and topic: https://ntfy.sh/mytopic. */
    url: httpUrl,
    token: secretString.optional(),
    username: z.string().min(1).optional(),
    password: secretString.optional(),
  })
  .refine((config) => !(config.token && (config.username || config.password)), { message: 'use either a token or a username and password' })
  .refine((config) => Boolean(config.username) === Boolean(config.password), { message: 'username and password go together' });
export type NtfyConfig = z.infer<typeof ntfyConfigSchema>;

/** ntfy's priorities: 5 urgent, 4 high, 3 default, 2 low, 1 min. */
const PRIORITIES: Record<string, number> = { critical: 5, page: 5, error: 4, high: 4, warning: 3, warn: 3, info: 2, low: 2, none: 2 };

// ntfy turns a message over 4096 bytes into an attachment; this keeps it a message.
const MESSAGE_LIMIT = 3500;

/** Header values must be Latin-1; anything else goes as an RFC 2047 encoded word, which ntfy decodes. */
export function headerValue(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

export const ntfyChannel: Channel<NtfyConfig> = {
  type: 'ntfy',
  configSchema: ntfyConfigSchema,
  secretFields: ['token', 'password'],
  async send(config, notification, context) {
    const firing = notification.status === 'firing';
    const headers: Record<string, string> = {
      'Content-Type': 'text/plain; charset=utf-8',
      Title: headerValue(truncate(renderTitle(notification, { test: context.test }), 250)),
      // Resolved is good news: it should not wake anyone.
      Priority: String(firing ? (PRIORITIES[severityOf(notification) ?? ''] ?? 3) : 2),
      Tags: firing ? 'rotating_light' : 'white_check_mark',
      Click: notification.externalURL,
    };
    if (config.token) headers.Authorization = `Bearer ${config.token}`;
    else if (config.username && config.password) headers.Authorization = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
    const body = truncate(renderText(notification, { test: context.test }), MESSAGE_LIMIT);
    await post({ channel: 'ntfy', url: config.url, body, headers, signal: context.signal, secrets: [config.token ?? '', config.password ?? ''] });
  },
};
