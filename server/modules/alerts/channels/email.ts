/** Email over SMTP with nodemailer: a text and an HTML part, the subject as Alertmanager's. */
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Notification } from '../notification.ts';
import { DeliveryError, type Channel } from './channel.ts';
import { escapeHtml, renderAlerts, renderText, renderTitle, STATUS_COLOUR, testNotice } from './message.ts';
import { secretString } from './schema-helpers.ts';

export const emailConfigSchema = z
  .strictObject({
    to: z.array(z.email()).min(1),
    /** An address, or `Name <address>`; no line breaks (they would start a new header). */
    from: z
      .string()
      .min(3)
      .regex(/^[^\r\n]*@[^\r\n]*$/),
    smarthost: z.strictObject({ host: z.string().min(1), port: z.number().int().min(1).max(65535).default(587) }),
    /** Implicit TLS from the first byte (usually port 465). */
    secure: z.boolean().default(false),
    /** Refuse to send unless the server upgrades with STARTTLS; the safe default. */
    requireTls: z.boolean().default(true),
    username: z.string().min(1).optional(),
    password: secretString.optional(),
    tlsRejectUnauthorized: z.boolean().default(true),
  })
  .refine((config) => Boolean(config.username) === Boolean(config.password), { message: 'username and password go together' });
export type EmailConfig = z.infer<typeof emailConfigSchema>;

// Bounds each SMTP phase; the delivery's signal bounds the whole attempt.
const SMTP_TIMEOUT_MS = 15_000;

export function renderEmailHtml(notification: Notification, test: boolean | undefined): string {
  const colour = STATUS_COLOUR[notification.status];
  const parts = [`<h2 style="color:${colour}">${escapeHtml(renderTitle(notification, { test }))}</h2>`];
  const notice = testNotice({ test });
  if (notice) parts.push(`<p><em>${escapeHtml(notice)}</em></p>`);
  parts.push('<ul>');
  for (const alert of renderAlerts(notification)) {
    parts.push(`<li><strong>[${escapeHtml(alert.status)}] ${escapeHtml(alert.heading)}</strong>`);
    if (alert.description) parts.push(`<br>${escapeHtml(alert.description)}`);
    if (alert.labels.length > 0) parts.push(`<br><code>${alert.labels.map(([name, value]) => `${escapeHtml(name)}=${escapeHtml(value)}`).join(', ')}</code>`);
    parts.push('</li>');
  }
  parts.push('</ul>');
  if (notification.truncatedAlerts > 0) parts.push(`<p>… and ${notification.truncatedAlerts} more alerts not shown</p>`);
  parts.push(`<p><a href="${escapeHtml(notification.externalURL)}">View in Watchkeeper</a></p>`);
  return `<!doctype html><html><body>${parts.join('\n')}</body></html>`;
}

// Node's codes for a certificate that does not verify: a configuration to fix, not a moment to wait out.
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Permanent: an SMTP 5xx, a refused login, a server that cannot do the STARTTLS the config
 * requires, a certificate that does not verify. Connection trouble and SMTP 4xx are retried.
 */
function toDeliveryError(error: unknown, host: string): DeliveryError {
  const err = error as { message?: string; code?: string; originalCode?: string; responseCode?: number };
  const detail = err.originalCode ?? (err.responseCode ? String(err.responseCode) : undefined);
  const reason = [err.code, detail].filter(Boolean).join(' ') || (err.message ?? String(error));
  const permanent =
    err.code === 'EAUTH' ||
    err.code === 'ETLS' ||
    (err.originalCode !== undefined && CERTIFICATE_ERRORS.has(err.originalCode)) ||
    (err.responseCode !== undefined && err.responseCode >= 500);
  return new DeliveryError(`email: ${host} refused or failed: ${reason}`, { retryable: !permanent });
}

export const emailChannel: Channel<EmailConfig> = {
  type: 'email',
  configSchema: emailConfigSchema,
  secretFields: ['password'],
  async send(config, notification, context) {
    const host = `${config.smarthost.host}:${config.smarthost.port}`;
    const transport = nodemailer.createTransport({
      host: config.smarthost.host,
      port: config.smarthost.port,
      secure: config.secure,
      requireTLS: !config.secure && config.requireTls,
      tls: { rejectUnauthorized: config.tlsRejectUnauthorized },
      ...(config.username && config.password ? { auth: { user: config.username, pass: config.password } } : {}),
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
    const { signal } = context;
    let onAbort: (() => void) | undefined;
    // nodemailer takes no AbortSignal: the attempt is abandoned (and the transport closed) instead.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new DeliveryError(`email: ${host} did not answer in time`, { retryable: true }));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const sending = transport.sendMail({
        from: config.from,
        to: config.to,
        subject: renderTitle(notification, { test: context.test }),
        text: renderText(notification, { test: context.test }),
        html: renderEmailHtml(notification, context.test),
      });
      sending.catch(() => {});
      await Promise.race([sending, aborted]);
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      throw toDeliveryError(error, host);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      transport.close();
    }
  },
};
