/**
 * One interface for every way a notification leaves Watchkeeper. A channel is one file in this
 * folder: its config schema (validated when a receiver is created or loaded from the config file)
 * and a `send` that delivers one notification. The outbox calls `send`, retries what is
 * retryable with back-off, and dead-letters the rest; a channel itself never retries.
 */
import type { z } from 'zod';
import type { Notification } from '../notification.ts';

export interface DeliveryContext {
  /**
   * Stable per alert group and receiver: the same group notified again carries the same key, so
   * services that deduplicate (PagerDuty's dedup_key, Opsgenie's alias) update one incident.
   */
  dedupKey: string;
  /** Aborted when the delivery's time is up (the outbox bounds every attempt). */
  signal: AbortSignal;
  /** True for the "send test" action: the message says it is a test. */
  test?: boolean;
}

/** A failed delivery. `retryable` false sends it to the dead letters at once (e.g. a 400 or 401). */
export class DeliveryError extends Error {
  readonly retryable: boolean;
  /** Seconds the far end asked us to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, { retryable, retryAfterSeconds }: { retryable: boolean; retryAfterSeconds?: number | undefined }) {
    super(message);
    this.name = 'DeliveryError';
    this.retryable = retryable;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface Channel<Config = unknown> {
  /** The receiver config's `type`: `webhook`, `slack`, `email`, … */
  readonly type: string;
  readonly configSchema: z.ZodType<Config>;
  /** Config fields that are secrets: shown as `<secret>` when a receiver is read back. */
  readonly secretFields: readonly string[];
  send(config: Config, notification: Notification, context: DeliveryContext): Promise<void>;
}
