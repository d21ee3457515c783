import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { generate } from 'selfsigned';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, mimePart, startRecorder, startSmtpRecorder, type Answer, type Recorder, type SmtpRecorder } from '../../../../test/channel-servers.ts';
import type { NotifiedAlert, Notification } from '../notification.ts';
import { DeliveryError, type DeliveryContext } from './channel.ts';
import { channelConfigSchema, deliver, redactSecrets, testNotification, TEST_ALERT_NAME, type ChannelConfigInput } from './index.ts';

function alert(overrides: Partial<NotifiedAlert> & { labels?: Record<string, string> } = {}): NotifiedAlert {
  return {
    status: 'firing',
    labels: { alertname: 'DatabaseDown', severity: 'critical', instance: 'db1' },
    annotations: { summary: 'Database db1 is down', description: 'No answer for 5 minutes' },
    startsAt: '2026-12-05T10:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'https://wk.example.com/alerts/rules/1',
    fingerprint: '0123456789abcdef',
    ...overrides,
  };
}

function notification(overrides: Partial<Notification> = {}): Notification {
  return {
    version: '4',
    receiver: 'ops',
    status: 'firing',
    alerts: [alert(), alert({ labels: { alertname: 'DatabaseDown', severity: 'critical', instance: 'db2' }, fingerprint: 'fedcba9876543210' })],
    groupLabels: { alertname: 'DatabaseDown' },
    commonLabels: { alertname: 'DatabaseDown', severity: 'critical' },
    commonAnnotations: {},
    externalURL: 'https://wk.example.com',
    groupKey: '{}:{alertname="DatabaseDown"}',
    truncatedAlerts: 0,
    ...overrides,
  };
}

function resolved(): Notification {
  const base = notification();
  return { ...base, status: 'resolved', alerts: base.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2026-12-05T10:30:00Z' })) };
}

function context(overrides: Partial<DeliveryContext> = {}): DeliveryContext {
  return { dedupKey: 'wk-ops-3f2a', signal: new AbortController().signal, ...overrides };
}

async function send(config: ChannelConfigInput, n: Notification = notification(), ctx: DeliveryContext = context()): Promise<void> {
  await deliver(channelConfigSchema.parse(config), n, ctx);
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

async function selfSignedCertificate(): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
  return { key: pems.private, cert: pems.cert };
}

let recorder: Recorder | undefined;
let smtp: SmtpRecorder | undefined;
afterEach(async () => {
  await recorder?.close();
  await smtp?.close();
  recorder = undefined;
  smtp = undefined;
});

async function record(answer?: Answer): Promise<Recorder> {
  recorder = await startRecorder(answer);
  return recorder;
}

function only(r: Recorder) {
  expect(r.requests).toHaveLength(1);
  return r.requests[0]!;
}

describe('webhook', () => {
  it('posts the notification unchanged as JSON, the shape Alertmanager receivers read', async () => {
    const r = await record();
    const n = notification();
    await send({ type: 'webhook', url: `${r.url}/hook` }, n);
    const request = only(r);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hook');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual(n);
    expect(request.headers['x-watchkeeper-signature']).toBeUndefined();
  });

  it('signs the webhook body so the receiver can verify it with the secret', async () => {
    const r = await record();
    await send({ type: 'webhook', url: r.url, secret: 's3cret' });
    const request = only(r);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request.headers['x-watchkeeper-signature']));
    expect(match).not.toBeNull();
    const [, t, v1] = match!;
    expect(createHmac('sha256', 's3cret').update(`${t}.${request.body}`).digest('hex')).toBe(v1);
    expect(createHmac('sha256', 'wrong').update(`${t}.${request.body}`).digest('hex')).not.toBe(v1);
  });

  it('sends the extra headers, and refuses headers that would replace its own', async () => {
    const r = await record();
    await send({ type: 'webhook', url: r.url, headers: { Authorization: 'Bearer abc' } });
    expect(only(r).headers.authorization).toBe('Bearer abc');
    expect(channelConfigSchema.safeParse({ type: 'webhook', url: r.url, headers: { 'X-Watchkeeper-Signature': 'x' } }).success).toBe(false);
  });

  it('keeps the first maxAlerts alerts and counts the rest in truncatedAlerts, as Alertmanager does', async () => {
    const r = await record();
    await send({ type: 'webhook', url: r.url, maxAlerts: 1 });
    const body = JSON.parse(only(r).body) as Notification;
    expect(body.alerts).toHaveLength(1);
    expect(body.truncatedAlerts).toBe(1);
  });

  it('marks a test delivery with a header', async () => {
    const r = await record();
    await send({ type: 'webhook', url: r.url }, notification(), context({ test: true }));
    expect(only(r).headers['x-watchkeeper-test']).toBe('true');
  });
});

describe('slack', () => {
  it('sends the title, one line per alert and the colour of the status', async () => {
    const r = await record();
    await send({ type: 'slack', url: `${r.url}/services/T000/B000/XXXX`, channel: '#ops' });
    const body = JSON.parse(only(r).body);
    expect(body.channel).toBe('#ops');
    expect(body.username).toBe('Watchkeeper');
    const [attachment] = body.attachments;
    expect(attachment.title).toBe('[FIRING:2] DatabaseDown (critical)');
    expect(attachment.title_link).toBe('https://wk.example.com');
    expect(attachment.color).toBe('#d63232');
    expect(attachment.text).toContain('Database db1 is down');
    expect(attachment.text).toContain('instance=db2');
  });

  it('colours a resolved group green and says RESOLVED', async () => {
    const r = await record();
    await send({ type: 'slack', url: r.url }, resolved());
    const [attachment] = JSON.parse(only(r).body).attachments;
    expect(attachment.title).toBe('[RESOLVED] DatabaseDown (critical)');
    expect(attachment.color).toBe('#2eb67d');
  });

  it('escapes the characters Slack gives meaning to in label values', async () => {
    const r = await record();
    await send({ type: 'slack', url: r.url }, notification({ alerts: [alert({ annotations: { summary: '<!channel> & <http://evil|x>' } })] }));
    const [attachment] = JSON.parse(only(r).body).attachments;
    expect(attachment.text).toContain('&lt;!channel&gt; &amp; &lt;http://evil|x&gt;');
  });
});

describe('teams', () => {
  it('sends an Adaptive Card in the message envelope Workflows expects', async () => {
    const r = await record((_, response) => response.writeHead(202).end());
    await send({ type: 'teams', url: `${r.url}/workflows/abc?sig=xyz` });
    const body = JSON.parse(only(r).body);
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = body.attachments[0].content;
    expect(card.type).toBe('AdaptiveCard');
    expect(card.body[0].text).toBe('[FIRING:2] DatabaseDown (critical)');
    expect(card.actions[0]).toEqual({ type: 'Action.OpenUrl', title: 'View in Watchkeeper', url: 'https://wk.example.com' });
  });
});

describe('discord', () => {
  it('sends an embed cut to the title and description limits Discord enforces', async () => {
    const r = await record((_, response) => response.writeHead(204).end());
    const long = 'x'.repeat(5000);
    await send(
      { type: 'discord', url: `${r.url}/api/webhooks/1/token` },
      notification({ groupLabels: { alertname: long }, alerts: [alert({ annotations: { summary: long, description: long } })] }),
    );
    const body = JSON.parse(only(r).body);
    const [embed] = body.embeds;
    expect(Array.from(embed.title as string).length).toBeLessThanOrEqual(256);
    expect(Array.from(embed.description as string).length).toBeLessThanOrEqual(4096);
    expect(embed.color).toBe(0xd63232);
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('pagerduty', () => {
  it('triggers an event with the dedup key, the mapped severity and the alerts in custom_details', async () => {
    const r = await record((_, response) => response.writeHead(202).end('{"status":"success"}'));
    await send({ type: 'pagerduty', routingKey: 'R0UTING', url: `${r.url}/v2/enqueue` });
    const event = JSON.parse(only(r).body);
    expect(event.routing_key).toBe('R0UTING');
    expect(event.event_action).toBe('trigger');
    expect(event.dedup_key).toBe('wk-ops-3f2a');
    expect(event.payload.severity).toBe('critical');
    expect(event.payload.summary).toBe('[FIRING:2] DatabaseDown (critical)');
    expect(event.payload.custom_details.alerts).toHaveLength(2);
    expect(event.payload.custom_details.firing).toBe(2);
  });

  it('resolves the same incident when the group resolves', async () => {
    const r = await record((_, response) => response.writeHead(202).end());
    await send({ type: 'pagerduty', routingKey: 'R0UTING', url: r.url }, resolved());
    const event = JSON.parse(only(r).body);
    expect(event.event_action).toBe('resolve');
    expect(event.dedup_key).toBe('wk-ops-3f2a');
  });

  it('defaults the severity to error and keeps the summary within 1024 characters', async () => {
    const r = await record((_, response) => response.writeHead(202).end());
    const n = notification({ groupLabels: { alertname: 'y'.repeat(3000) }, commonLabels: { severity: 'bogus' } });
    await send({ type: 'pagerduty', routingKey: 'R0UTING', url: r.url }, n);
    const event = JSON.parse(only(r).body);
    expect(event.payload.severity).toBe('error');
    expect(Array.from(event.payload.summary as string).length).toBeLessThanOrEqual(1024);
  });
});

describe('opsgenie', () => {
  it('creates an alert aliased by the dedup key, with the GenieKey and a priority from the severity', async () => {
    const r = await record((_, response) => response.writeHead(202).end('{"result":"Request will be processed"}'));
    await send({ type: 'opsgenie', apiKey: 'genie-key', apiUrl: `${r.url}/` }, notification({ groupLabels: { alertname: 'z'.repeat(300) } }));
    const request = only(r);
    expect(request.url).toBe('/v2/alerts');
    expect(request.headers.authorization).toBe('GenieKey genie-key');
    const body = JSON.parse(request.body);
    expect(body.alias).toBe('wk-ops-3f2a');
    expect(body.priority).toBe('P1');
    expect(Array.from(body.message as string).length).toBeLessThanOrEqual(130);
  });

  it('closes the alert by its alias when the group resolves', async () => {
    const r = await record((_, response) => response.writeHead(202).end());
    await send({ type: 'opsgenie', apiKey: 'genie-key', apiUrl: r.url }, resolved(), context({ dedupKey: 'wk/ops 1' }));
    const request = only(r);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v2/alerts/wk%2Fops%201/close?identifierType=alias');
  });
});

describe('ntfy', () => {
  it('posts the text with the title, an urgent priority for critical and the bearer token', async () => {
    const r = await record();
    await send({ type: 'ntfy', url: `${r.url}/mytopic`, token: 'tk_123' });
    const request = only(r);
    expect(request.url).toBe('/mytopic');
    expect(request.headers.title).toBe('[FIRING:2] DatabaseDown (critical)');
    expect(request.headers.priority).toBe('5');
    expect(request.headers.tags).toBe('rotating_light');
    expect(request.headers.authorization).toBe('Bearer tk_123');
    expect(request.body).toContain('Database db1 is down');
  });

  it('sends a resolved group at low priority with a check mark', async () => {
    const r = await record();
    await send({ type: 'ntfy', url: `${r.url}/mytopic`, username: 'u', password: 'p' }, resolved());
    const request = only(r);
    expect(request.headers.priority).toBe('2');
    expect(request.headers.tags).toBe('white_check_mark');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('encodes a title that is not ASCII instead of failing to send it', async () => {
    const r = await record();
    await send({ type: 'ntfy', url: `${r.url}/t` }, notification({ groupLabels: { alertname: 'Disque plein ⚠' } }));
    const title = String(only(r).headers.title);
    const encoded = /^=\?UTF-8\?B\?(.+)\?=$/.exec(title)?.[1];
    expect(Buffer.from(encoded ?? '', 'base64').toString('utf8')).toContain('Disque plein ⚠');
  });
});

describe('telegram', () => {
  it('calls sendMessage on the bot with HTML whose outside values are escaped', async () => {
    const r = await record((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    await send(
      { type: 'telegram', botToken: '123:ABC', chatId: -10042, apiUrl: r.url },
      notification({ alerts: [alert({ annotations: { summary: '<b>bold</b> & more' } })] }),
    );
    const request = only(r);
    expect(request.url).toBe('/bot123:ABC/sendMessage');
    const body = JSON.parse(request.body);
    expect(body.chat_id).toBe(-10042);
    expect(body.parse_mode).toBe('HTML');
    expect(body.text).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; more');
  });

  it('keeps the message within 4096 characters however many alerts there are', async () => {
    const r = await record();
    const alerts = Array.from({ length: 200 }, (_, i) =>
      alert({ labels: { alertname: 'A', instance: `host-${i}` }, annotations: { summary: 's'.repeat(100) } }),
    );
    await send({ type: 'telegram', botToken: '1:X', chatId: '@ops', apiUrl: r.url }, notification({ alerts }));
    const text = JSON.parse(only(r).body).text as string;
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toContain('View in Watchkeeper');
  });

  it('waits as long as the Bot API asks in retry_after when it rate-limits', async () => {
    const r = await record((_, response) =>
      response.writeHead(429).end('{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 12","parameters":{"retry_after":12}}'),
    );
    const error = await failure(send({ type: 'telegram', botToken: '1:X', chatId: 1, apiUrl: r.url }));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(12);
  });

  it('never names the bot token in an error', async () => {
    const r = await record((request, response) => response.writeHead(404).end(`Not Found: ${request.url}`));
    const error = await failure(send({ type: 'telegram', botToken: '123:SECRET', chatId: 1, apiUrl: r.url }));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('404');
    expect(error.message).not.toContain('SECRET');
  });
});

describe('email', () => {
  const base = { type: 'email' as const, to: ['oncall@example.com', 'lead@example.com'], from: 'Watchkeeper <alerts@example.com>', requireTls: false };

  it('mails every recipient with the subject, a text part and an HTML part that escapes label values', async () => {
    smtp = await startSmtpRecorder();
    await send(
      { ...base, smarthost: { host: '127.0.0.1', port: smtp.port } },
      notification({ alerts: [alert({ labels: { alertname: 'DatabaseDown', instance: '<script>alert(1)</script>' } })] }),
    );
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe('alerts@example.com');
    expect(mail.to).toEqual(['oncall@example.com', 'lead@example.com']);
    expect(mail.raw).toMatch(/^Subject: \[FIRING:1\] DatabaseDown \(critical\)/m);
    const html = mimePart(mail.raw, 'text/html');
    const text = mimePart(mail.raw, 'text/plain');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(text).toContain('instance=<script>alert(1)</script>');
  });

  it('authenticates with the username and password', async () => {
    smtp = await startSmtpRecorder({ authOptional: false });
    await send({ ...base, smarthost: { host: '127.0.0.1', port: smtp.port }, username: 'alerts', password: 'hunter2' });
    expect(smtp.mails[0]?.user).toBe('alerts');
  });

  it('does not retry a refused login', async () => {
    smtp = await startSmtpRecorder({ authOptional: false });
    const error = await failure(send({ ...base, smarthost: { host: '127.0.0.1', port: smtp.port }, username: 'alerts', password: 'wrong' }));
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('wrong');
  });

  it('does not retry a recipient the server rejects permanently', async () => {
    smtp = await startSmtpRecorder({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      },
    });
    const error = await failure(send({ ...base, smarthost: { host: '127.0.0.1', port: smtp.port } }));
    expect(error.retryable).toBe(false);
  });

  it('retries when the mail server is unreachable', async () => {
    const error = await failure(send({ ...base, smarthost: { host: '127.0.0.1', port: await closedPort() } }));
    expect(error.retryable).toBe(true);
  });

  it('upgrades with STARTTLS and refuses a certificate it cannot verify unless told not to verify', async () => {
    smtp = await startSmtpRecorder({ disabledCommands: [], ...(await selfSignedCertificate()) });
    const config = { ...base, requireTls: true, smarthost: { host: '127.0.0.1', port: smtp.port } };
    const error = await failure(send(config));
    expect(error.retryable).toBe(false);
    expect(smtp.mails).toHaveLength(0);
    await send({ ...config, tlsRejectUnauthorized: false });
    expect(smtp.mails).toHaveLength(1);
  });

  it('gives up on a mail server that never greets when the signal aborts, and retries later', async () => {
    const controller = new AbortController();
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      controller.abort();
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const { port } = silent.address() as AddressInfo;
      const error = await failure(send({ ...base, smarthost: { host: '127.0.0.1', port } }, notification(), context({ signal: controller.signal })));
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('did not answer in time');
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('refuses to send in clear when STARTTLS is required and the server does not offer it', async () => {
    smtp = await startSmtpRecorder();
    const error = await failure(send({ ...base, requireTls: true, smarthost: { host: '127.0.0.1', port: smtp.port } }));
    expect(error.retryable).toBe(false);
    expect(smtp.mails).toHaveLength(0);
  });
});

describe('delivery errors', () => {
  const webhook = (url: string) => ({ type: 'webhook' as const, url });

  it('retries a 500', async () => {
    const r = await record((_, response) => response.writeHead(500).end('boom'));
    const error = await failure(send(webhook(r.url)));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('webhook');
    expect(error.message).toContain('500');
    expect(error.message).toContain('boom');
  });

  it('retries a 429 after the seconds Retry-After asks for', async () => {
    const r = await record((_, response) => response.writeHead(429, { 'retry-after': '7' }).end());
    const error = await failure(send(webhook(r.url)));
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(7);
  });

  it('does not retry a 400: the same request would be refused again', async () => {
    const r = await record((_, response) => response.writeHead(400).end('invalid_payload'));
    const error = await failure(send(webhook(r.url)));
    expect(error.retryable).toBe(false);
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it('retries when nothing listens on the port', async () => {
    const error = await failure(send(webhook(`http://127.0.0.1:${await closedPort()}/`)));
    expect(error.retryable).toBe(true);
  });

  it('gives up on a server that never answers when the signal aborts, and retries later', async () => {
    const controller = new AbortController();
    // The server takes the request and never answers; the attempt's time running out is simulated
    // by aborting once the request has arrived.
    await record(() => controller.abort());
    const error = await failure(send(webhook(recorder!.url), notification(), context({ signal: controller.signal })));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('did not answer in time');
  });

  it('never names the secret path of a webhook URL in an error', async () => {
    const r = await record((request, response) => response.writeHead(404).end(`no_service ${request.url}`));
    const error = await failure(send({ type: 'slack', url: `${r.url}/services/T1/B2/SECRETPATH` }));
    expect(error.message).toContain(r.url);
    expect(error.message).not.toContain('SECRETPATH');
  });

  it('does not follow a redirect', async () => {
    const r = await record((_, response) => response.writeHead(302, { location: 'http://127.0.0.1:1/' }).end());
    const error = await failure(send(webhook(r.url)));
    expect(error.retryable).toBe(false);
    expect(r.requests).toHaveLength(1);
  });
});

describe('registry', () => {
  it('accepts only http and https URLs and no unknown fields', () => {
    expect(channelConfigSchema.safeParse({ type: 'webhook', url: 'file:///etc/passwd' }).success).toBe(false);
    expect(channelConfigSchema.safeParse({ type: 'discord', url: 'javascript:alert(1)' }).success).toBe(false);
    expect(channelConfigSchema.safeParse({ type: 'slack', url: 'https://hooks.slack.com/x', colour: 'red' }).success).toBe(false);
    expect(channelConfigSchema.safeParse({ type: 'carrier-pigeon', url: 'https://x' }).success).toBe(false);
  });

  it('fills in the defaults: PagerDuty and Opsgenie endpoints, TLS verification on', () => {
    const pagerduty = channelConfigSchema.parse({ type: 'pagerduty', routingKey: 'k' });
    expect(pagerduty).toMatchObject({ url: 'https://events.pagerduty.com/v2/enqueue' });
    expect(channelConfigSchema.parse({ type: 'opsgenie', apiKey: 'k' })).toMatchObject({ apiUrl: 'https://api.opsgenie.com/' });
    expect(channelConfigSchema.parse({ type: 'email', to: ['a@example.com'], from: 'b@example.com', smarthost: { host: 'mx' } })).toMatchObject({
      smarthost: { port: 587 },
      requireTls: true,
      tlsRejectUnauthorized: true,
    });
  });

  it('shows every secret field as <secret> and leaves the rest readable', () => {
    expect(redactSecrets(channelConfigSchema.parse({ type: 'telegram', botToken: '1:X', chatId: 5 }))).toMatchObject({ botToken: '<secret>', chatId: 5 });
    expect(redactSecrets(channelConfigSchema.parse({ type: 'slack', url: 'https://hooks.slack.com/services/a' }))).toMatchObject({ url: '<secret>' });
    const webhook = redactSecrets(channelConfigSchema.parse({ type: 'webhook', url: 'https://x.example.com/', secret: 's' }));
    expect(webhook).toMatchObject({ url: 'https://x.example.com/', secret: '<secret>' });
    expect(webhook).not.toHaveProperty('headers');
  });

  it('builds a test notification labelled so, and marks a test delivery as a test', async () => {
    const n = testNotification({ receiver: 'ops', externalURL: 'https://wk.example.com' });
    expect(n.alerts[0]?.labels.alertname).toBe(TEST_ALERT_NAME);
    expect(n.receiver).toBe('ops');
    const r = await record();
    await send({ type: 'slack', url: r.url }, n, context({ test: true }));
    const body = JSON.parse(only(r).body);
    expect(body.attachments[0].title).toMatch(/^\[TEST\] \[FIRING:1\] WatchkeeperTestNotification/);
    expect(body.attachments[0].text).toContain('test notification');
  });
});
