/**
 * The one way a channel talks HTTP: a POST bounded by the delivery's signal, with every outcome
 * mapped to success or a DeliveryError the outbox knows how to treat.
 */
import { DeliveryError } from './channel.ts';

export interface PostOptions {
  /** Names the channel in error messages (`slack`, `pagerduty`, …). */
  channel: string;
  url: string;
  body: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /** Strings never to repeat in an error (tokens, keys): the far end may echo them back. */
  secrets?: readonly string[];
  /** For APIs that say how long to wait in the body rather than in Retry-After (Telegram). */
  retryAfterFromBody?: (body: string) => number | undefined;
}

export interface PostAnswer {
  status: number;
  body: string;
}

const BODY_EXCERPT = 200;

/**
 * POSTs and returns the answer when it is 2xx. Network errors, time-outs, 408, 429 and 5xx are
 * retryable (the far end may recover); any other status is not, since sending the same request
 * again would get the same refusal. Errors name only the URL's origin: Slack, Discord and Teams
 * webhook URLs and Telegram's bot path are credentials in themselves.
 */
export async function post({ channel, url, body, headers = {}, signal, secrets = [], retryAfterFromBody }: PostOptions): Promise<PostAnswer> {
  const target = describeTarget(url);
  secrets = [...secrets, ...urlSecrets(url)];
  let response: Response;
  try {
    // Redirects are not followed: a webhook that moved is a configuration to fix, and following
    // one would carry the body (and any Authorization header) to wherever it points.
    response = await fetch(url, { method: 'POST', body, headers, signal, redirect: 'manual' });
  } catch (error) {
    if (signal.aborted) throw new DeliveryError(`${channel}: ${target} did not answer in time`, { retryable: true });
    throw new DeliveryError(`${channel}: ${target} unreachable: ${redact(networkReason(error), secrets)}`, { retryable: true });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw new DeliveryError(`${channel}: ${target} did not finish answering in time`, { retryable: true });
    throw new DeliveryError(`${channel}: ${target} broke off its answer: ${redact(networkReason(error), secrets)}`, { retryable: true });
  }
  if (response.status >= 200 && response.status < 300) return { status: response.status, body: text };
  const excerpt = redact(text.slice(0, BODY_EXCERPT).replace(/\s+/g, ' ').trim(), secrets);
  const message = `${channel}: ${target} answered ${response.status}${excerpt ? `: ${excerpt}` : ''}`;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  const retryAfterSeconds = retryable ? (parseRetryAfter(response.headers.get('retry-after')) ?? retryAfterFromBody?.(text)) : undefined;
  throw new DeliveryError(message, { retryable, retryAfterSeconds });
}

/** Retry-After is either delta-seconds or an HTTP date; anything else is ignored. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function describeTarget(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured URL';
  }
}

/**
 * The parts of a URL that may be a credential (Slack's /services/T…/B…/token, Discord's
 * /api/webhooks/id/token, a Teams signature in the query), so an answer echoing them is redacted.
 * Longest first, so a whole path goes before the segments inside it.
 */
function urlSecrets(url: string): string[] {
  try {
    const { pathname, search } = new URL(url);
    const parts = [pathname + search, pathname, search, safeDecode(pathname), ...pathname.split('/').filter((segment) => segment.length >= 6)];
    return parts.filter((part) => part.length > 1).sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}

function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return error.message;
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('<secret>');
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
