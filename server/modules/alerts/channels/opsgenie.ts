/**
 * Opsgenie's Alert API: create an alert aliased by the dedup key while the group fires, close the
 * alert by that alias when it resolves, so one Opsgenie alert follows one group.
 */
import { z } from 'zod';
import type { Channel } from './channel.ts';
import { post } from './http-delivery.ts';
import { renderText, renderTitle, severityOf, truncate } from './message.ts';
import { httpUrl, secretString } from './schema-helpers.ts';

export const opsgenieConfigSchema = z.strictObject({
  apiKey: secretString,
  /** EU accounts use https://api.eu.opsgenie.com/. */
  apiUrl: httpUrl.default('https://api.opsgenie.com/'),
  tags: z.array(z.string().min(1)).default([]),
});
export type OpsgenieConfig = z.infer<typeof opsgenieConfigSchema>;

export type OpsgeniePriority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';

const PRIORITIES: Record<string, OpsgeniePriority> = {
  critical: 'P1',
  page: 'P1',
  error: 'P2',
  high: 'P2',
  warning: 'P3',
  warn: 'P3',
  low: 'P4',
  info: 'P5',
  none: 'P5',
};

export function opsgeniePriority(label: string | undefined): OpsgeniePriority {
  return (label && PRIORITIES[label]) || 'P3';
}

// Opsgenie's documented field limits.
const MESSAGE_LIMIT = 130;
const ALIAS_LIMIT = 512;
const DESCRIPTION_LIMIT = 15000;

export const opsgenieChannel: Channel<OpsgenieConfig> = {
  type: 'opsgenie',
  configSchema: opsgenieConfigSchema,
  secretFields: ['apiKey'],
  async send(config, notification, context) {
    const alias = truncate(context.dedupKey, ALIAS_LIMIT);
    const base = config.apiUrl.endsWith('/') ? config.apiUrl : `${config.apiUrl}/`;
    const headers = { 'Content-Type': 'application/json', Authorization: `GenieKey ${config.apiKey}` };
    const firing = notification.status === 'firing';
    const url = firing ? new URL('v2/alerts', base).href : new URL(`v2/alerts/${encodeURIComponent(alias)}/close?identifierType=alias`, base).href;
    const body = firing
      ? {
          message: truncate(renderTitle(notification, { test: context.test }), MESSAGE_LIMIT),
          alias,
          description: truncate(renderText(notification, { test: context.test }), DESCRIPTION_LIMIT),
          details: notification.commonLabels,
          tags: config.tags,
          priority: opsgeniePriority(severityOf(notification)),
          source: 'Watchkeeper',
        }
      : { source: 'Watchkeeper', note: 'Resolved in Watchkeeper' };
    await post({ channel: 'opsgenie', url, body: JSON.stringify(body), headers, signal: context.signal, secrets: [config.apiKey] });
  },
};
