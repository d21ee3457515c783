/** Telegram through the Bot API's sendMessage, as HTML with every outside value escaped. */
import { z } from 'zod';
import type { Channel } from './channel.ts';
import { post } from './http-delivery.ts';
import { escapeHtml, renderAlerts, renderTitle, testNotice, truncate } from './message.ts';
import { httpUrl, secretString } from './schema-helpers.ts';

export const telegramConfigSchema = z.strictObject({
  botToken: secretString,
  chatId: z.union([z.string().min(1), z.number().int()]),
  /** Overridable for a self-hosted Bot API server or a test. */
  apiUrl: httpUrl.default('https://api.telegram.org'),
});
export type TelegramConfig = z.infer<typeof telegramConfigSchema>;

export const TELEGRAM_MESSAGE_LIMIT = 4096;
const LINE_LIMIT = 1000;

/**
 * The message as HTML lines, each escaped on its own, and whole lines dropped past the limit so a
 * cut never splits an entity or a tag (which Telegram would refuse with a 400).
 */
export function renderTelegramHtml(notification: Parameters<typeof renderTitle>[0], test: boolean | undefined): string {
  const lines = [`<b>${escapeHtml(truncate(renderTitle(notification, { test }), LINE_LIMIT))}</b>`];
  const notice = testNotice({ test });
  if (notice) lines.push(`<i>${escapeHtml(notice)}</i>`);
  for (const alert of renderAlerts(notification)) {
    lines.push(`• [${alert.status}] <b>${escapeHtml(truncate(alert.heading, LINE_LIMIT))}</b>`);
    if (alert.description) lines.push(escapeHtml(truncate(alert.description, LINE_LIMIT)));
    if (alert.labels.length > 0) lines.push(`<code>${escapeHtml(truncate(alert.labels.map(([n, v]) => `${n}=${v}`).join(', '), LINE_LIMIT))}</code>`);
  }
  if (notification.truncatedAlerts > 0) lines.push(`… and ${notification.truncatedAlerts} more alerts`);
  const footer = `<a href="${escapeHtml(notification.externalURL)}">View in Watchkeeper</a>`;
  const cut = '…';
  const kept: string[] = [];
  let length = footer.length + cut.length + 2;
  for (const line of lines) {
    if (length + line.length + 1 > TELEGRAM_MESSAGE_LIMIT) {
      kept.push(cut);
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return [...kept, footer].join('\n');
}

/** A 429 from the Bot API says how long to wait in `parameters.retry_after`. */
function telegramRetryAfter(body: string): number | undefined {
  try {
    const retryAfter = (JSON.parse(body) as { parameters?: { retry_after?: unknown } }).parameters?.retry_after;
    return typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : undefined;
  } catch {
    return undefined;
  }
}

export const telegramChannel: Channel<TelegramConfig> = {
  type: 'telegram',
  configSchema: telegramConfigSchema,
  secretFields: ['botToken'],
  async send(config, notification, context) {
    const base = config.apiUrl.replace(/\/+$/, '');
    const body = {
      chat_id: config.chatId,
      text: renderTelegramHtml(notification, context.test),
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    };
    await post({
      channel: 'telegram',
      url: `${base}/bot${config.botToken}/sendMessage`,
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
      signal: context.signal,
      secrets: [config.botToken],
      retryAfterFromBody: telegramRetryAfter,
    });
  },
};
