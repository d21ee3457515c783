/**
 * A generic webhook: the notification POSTed unchanged as JSON, the Alertmanager webhook shape,
 * so receivers written for Alertmanager work as they are.
 *
 * With a `secret`, every request carries
 *   X-Watchkeeper-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * A receiver verifies it by (1) splitting the header on `,` and `=`, (2) recomputing the HMAC over
 * the timestamp, a dot and the raw request body exactly as received (before any JSON parsing),
 * (3) comparing with `crypto.timingSafeEqual`, and (4) refusing a `t` more than a few minutes
 * from its own clock, so a captured request cannot be replayed later. The timestamp is inside
 * the signed text, so it cannot be changed without breaking the signature.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Notification } from '../notification.ts';
import type { Channel } from './channel.ts';
import { post } from './http-delivery.ts';
import { httpUrl, secretString } from './schema-helpers.ts';

export const SIGNATURE_HEADER = 'X-Watchkeeper-Signature';

// Headers the channel itself sets; letting config override them would break the contract.
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', SIGNATURE_HEADER.toLowerCase()]);

export const webhookConfigSchema = z.strictObject({
  url: httpUrl,
  secret: secretString.optional(),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string())
    .refine((headers) => Object.keys(headers).every((name) => !RESERVED_HEADERS.has(name.toLowerCase())), {
      message: 'headers may not set Content-Type, Content-Length, Host or the signature',
    })
    .optional(),
  /** 0 sends every alert; otherwise the rest are dropped and counted in truncatedAlerts. */
  maxAlerts: z.number().int().min(0).default(0),
});
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

export function signBody(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export function truncateAlerts(notification: Notification, maxAlerts: number): Notification {
  if (maxAlerts === 0 || notification.alerts.length <= maxAlerts) return notification;
  return {
    ...notification,
    alerts: notification.alerts.slice(0, maxAlerts),
    truncatedAlerts: notification.truncatedAlerts + notification.alerts.length - maxAlerts,
  };
}

export const webhookChannel: Channel<WebhookConfig> = {
  type: 'webhook',
  configSchema: webhookConfigSchema,
  // Extra headers usually carry an Authorization token.
  secretFields: ['secret', 'headers'],
  async send(config, notification, context) {
    const body = JSON.stringify(truncateAlerts(notification, config.maxAlerts));
    const headers: Record<string, string> = { ...config.headers, 'Content-Type': 'application/json' };
    if (config.secret) headers[SIGNATURE_HEADER] = signBody(config.secret, body, Math.floor(Date.now() / 1000));
    if (context.test) headers['X-Watchkeeper-Test'] = 'true';
    const secrets = [config.secret ?? '', ...Object.values(config.headers ?? {})];
    await post({ channel: 'webhook', url: config.url, body, headers, signal: context.signal, secrets });
  },
};
