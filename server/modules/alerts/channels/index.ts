/**
 * The channel registry: every channel by its type, the config schema of a receiver's integration
 * (a union discriminated on `type`), and the few operations the rest of alerting needs.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Notification } from '../notification.ts';
import type { Channel, DeliveryContext } from './channel.ts';
import { discordChannel, discordConfigSchema } from './discord.ts';
import { emailChannel, emailConfigSchema } from './email.ts';
import { ntfyChannel, ntfyConfigSchema } from './ntfy.ts';
import { opsgenieChannel, opsgenieConfigSchema } from './opsgenie.ts';
import { pagerdutyChannel, pagerdutyConfigSchema } from './pagerduty.ts';
import { slackChannel, slackConfigSchema } from './slack.ts';
import { teamsChannel, teamsConfigSchema } from './teams.ts';
import { telegramChannel, telegramConfigSchema } from './telegram.ts';
import { webhookChannel, webhookConfigSchema } from './webhook.ts';

export { DeliveryError, type Channel, type DeliveryContext } from './channel.ts';

export const channels = {
  webhook: webhookChannel,
  slack: slackChannel,
  teams: teamsChannel,
  discord: discordChannel,
  email: emailChannel,
  pagerduty: pagerdutyChannel,
  opsgenie: opsgenieChannel,
  ntfy: ntfyChannel,
  telegram: telegramChannel,
} as const;

export type ChannelType = keyof typeof channels;
export const channelTypes = Object.keys(channels) as ChannelType[];

// Built from each channel's own schema, so a channel's fields are declared once. (ntfy and email
// carry refinements; `.safeExtend` keeps them where `.extend` would refuse.)
export const channelConfigSchema = z.discriminatedUnion('type', [
  webhookConfigSchema.extend({ type: z.literal('webhook') }),
  slackConfigSchema.extend({ type: z.literal('slack') }),
  teamsConfigSchema.extend({ type: z.literal('teams') }),
  discordConfigSchema.extend({ type: z.literal('discord') }),
  emailConfigSchema.safeExtend({ type: z.literal('email') }),
  pagerdutyConfigSchema.extend({ type: z.literal('pagerduty') }),
  opsgenieConfigSchema.extend({ type: z.literal('opsgenie') }),
  ntfyConfigSchema.safeExtend({ type: z.literal('ntfy') }),
  telegramConfigSchema.extend({ type: z.literal('telegram') }),
]);
/** A receiver's integration as stored (defaults applied). */
export type ChannelConfig = z.infer<typeof channelConfigSchema>;
/** As written by a user or in the config file (defaults may be left out). */
export type ChannelConfigInput = z.input<typeof channelConfigSchema>;

/** Sends through the channel the config names. Throws DeliveryError on failure. */
export async function deliver(config: ChannelConfig, notification: Notification, context: DeliveryContext): Promise<void> {
  const { type, ...rest } = config;
  const channel = channels[type] as Channel<unknown>;
  await channel.send(rest, notification, context);
}

export const SECRET_PLACEHOLDER = '<secret>';

/** The config as it may be shown: every secret field that is set reads `<secret>`. */
export function redactSecrets(config: ChannelConfig): Record<string, unknown> {
  const redacted: Record<string, unknown> = { ...config };
  for (const field of channels[config.type].secretFields) if (redacted[field] !== undefined) redacted[field] = SECRET_PLACEHOLDER;
  return redacted;
}

export const TEST_ALERT_NAME = 'WatchkeeperTestNotification';

/** What the "send test" action sends: one firing alert, labelled so receivers can filter it out. */
export function testNotification({ receiver, externalURL, now = new Date() }: { receiver: string; externalURL: string; now?: Date }): Notification {
  const labels = { alertname: TEST_ALERT_NAME, severity: 'info' };
  const fingerprint = createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16);
  return {
    version: '4',
    receiver,
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: {
          summary: 'Test notification from Watchkeeper',
          description: `If you can read this, the receiver "${receiver}" is set up correctly.`,
        },
        startsAt: now.toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: externalURL,
        fingerprint,
      },
    ],
    groupLabels: { alertname: TEST_ALERT_NAME },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL,
    groupKey: `{}:{alertname="${TEST_ALERT_NAME}"}`,
    truncatedAlerts: 0,
  };
}
