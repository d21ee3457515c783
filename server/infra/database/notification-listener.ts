/**
 * One dedicated connection that LISTENs on PostgreSQL channels, so that instances learn of each
 * other's changes. PostgreSQL delivers a NOTIFY only when the transaction that sent it commits, so a
 * notification means "this is now true in the database", never "this may happen".
 *
 * What a listener cannot promise is that it heard everything: while its connection is down,
 * notifications are lost. So it says whether it is listening (`listening`, and `onState`), and a
 * subscriber that keeps state derived from notifications (a cache) must distrust that state
 * whenever the listener was not. A heartbeat query notices a connection that went quiet without
 * closing (a frozen server, a partition), within `heartbeatMs` + `heartbeatTimeoutMs`.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyBaseLogger as Logger } from 'fastify';

export interface Notification {
  channel: string;
  payload: string;
}

export interface NotificationListenerOptions {
  /** Connection options for the listening client (the pool's, without pool settings). */
  client: pg.ClientConfig;
  logger: Logger;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  /** First reconnect delay; doubles up to `maxReconnectDelayMs`. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

type Handler = (payload: string) => void;
type StateHandler = (listening: boolean) => void;

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export class NotificationListener {
  readonly #options: Required<Omit<NotificationListenerOptions, 'logger' | 'client'>> & Pick<NotificationListenerOptions, 'logger' | 'client'>;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #stateHandlers = new Set<StateHandler>();
  #client: pg.Client | undefined;
  #listening = false;
  #closed = false;
  #starting: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #reconnect: NodeJS.Timeout | undefined;
  #delay: number;
  /** This listener's own channel for sync(): no other instance hears its tokens. */
  readonly #syncChannel = `watchkeeper_sync_${randomBytes(6).toString('hex')}`;
  readonly #pendingSyncs = new Map<string, () => void>();
  #syncCount = 0;

  constructor({ heartbeatMs = 5_000, heartbeatTimeoutMs = 3_000, reconnectDelayMs = 500, maxReconnectDelayMs = 15_000, ...rest }: NotificationListenerOptions) {
    this.#options = { heartbeatMs, heartbeatTimeoutMs, reconnectDelayMs, maxReconnectDelayMs, ...rest };
    this.#delay = reconnectDelayMs;
  }

  /** True while notifications on every subscribed channel are being received. */
  get listening(): boolean {
    return this.#listening;
  }

  /** The connection's server process id, while connected (for tests and diagnostics). */
  get backendPid(): number | undefined {
    return (this.#client as unknown as { processID?: number } | undefined)?.processID;
  }

  /** Calls `handler` on every notification on `channel`; connects on the first subscription. */
  subscribe(channel: string, handler: Handler): () => void {
    if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
    let handlers = this.#handlers.get(channel);
    const isNew = !handlers;
    if (!handlers) this.#handlers.set(channel, (handlers = new Set()));
    handlers.add(handler);
    if (isNew && this.#client && this.#listening) {
      // A channel added while connected: not listening on every channel until the LISTEN is done.
      this.#setListening(false);
      this.#client.query(`LISTEN ${channel}`).then(
        () => this.#setListening(true),
        (error: unknown) => this.#lost(error),
      );
    } else if (!this.#client && !this.#starting) {
      this.#starting = this.#connect().finally(() => (this.#starting = undefined));
    }
    return () => handlers.delete(handler);
  }

  /**
   * Resolves true once every notification committed before the call has been handled: PostgreSQL
   * delivers notifications in commit order, so hearing a token sent now means hearing all before
   * it. False when not listening, or when the token is not heard within `timeoutMs`.
   */
  sync(timeoutMs = 1_000): Promise<boolean> {
    const client = this.#client;
    if (!client || !this.#listening) return Promise.resolve(false);
    const token = String(++this.#syncCount);
    return new Promise<boolean>((resolve) => {
      const settle = (heard: boolean) => {
        clearTimeout(timer);
        this.#pendingSyncs.delete(token);
        resolve(heard);
      };
      const timer = setTimeout(() => {
        // Unheard in time: whatever was kept from notifications can no longer be trusted.
        this.#lost(new Error(`a sync token went unheard for ${timeoutMs} ms`), client);
        settle(false);
      }, timeoutMs);
      this.#pendingSyncs.set(token, () => settle(true));
      client.query('SELECT pg_notify($1, $2)', [this.#syncChannel, token]).catch(() => settle(false));
    });
  }

  /** Called with `false` when the listener may have missed notifications, `true` once it hears again. */
  onState(handler: StateHandler): () => void {
    this.#stateHandlers.add(handler);
    return () => this.#stateHandlers.delete(handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnect);
    clearInterval(this.#heartbeat);
    await this.#starting?.catch(() => undefined);
    const client = this.#client;
    this.#client = undefined;
    this.#setListening(false);
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ ...this.#options.client, application_name: 'watchkeeper-listener', query_timeout: this.#options.heartbeatTimeoutMs });
    client.on('error', (error) => this.#lost(error, client));
    client.on('end', () => this.#lost(new Error('connection ended'), client));
    client.on('notification', ({ channel, payload }) => {
      if (channel === this.#syncChannel) return this.#pendingSyncs.get(payload ?? '')?.();
      for (const handler of this.#handlers.get(channel) ?? []) {
        try {
          handler(payload ?? '');
        } catch (error) {
          this.#options.logger.error({ err: error, channel }, 'a notification handler failed');
        }
      }
    });
    this.#client = client;
    try {
      await client.connect();
      for (const channel of [this.#syncChannel, ...this.#handlers.keys()]) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.#lost(error, client);
      return;
    }
    if (this.#client !== client || this.#closed) return;
    this.#delay = this.#options.reconnectDelayMs;
    this.#heartbeat = setInterval(() => {
      client.query('SELECT 1').catch((error: unknown) => this.#lost(error, client));
    }, this.#options.heartbeatMs);
    this.#heartbeat.unref();
    this.#setListening(true);
  }

  #lost(error: unknown, client = this.#client): void {
    if (client !== this.#client || this.#closed) return;
    this.#client = undefined;
    clearInterval(this.#heartbeat);
    if (this.#listening) this.#options.logger.warn({ err: error }, 'stopped hearing database notifications; reconnecting');
    this.#setListening(false);
    // Destroyed rather than ended: a frozen server would never answer the goodbye.
    (client as unknown as { connection?: { stream?: { destroy(): void } } })?.connection?.stream?.destroy();
    client?.end().catch(() => undefined);
    this.#reconnect = setTimeout(() => {
      this.#starting = this.#connect().finally(() => (this.#starting = undefined));
    }, this.#delay);
    this.#reconnect.unref();
    this.#delay = Math.min(this.#delay * 2, this.#options.maxReconnectDelayMs);
  }

  #setListening(listening: boolean): void {
    if (this.#listening === listening) return;
    this.#listening = listening;
    if (listening) this.#options.logger.debug('hearing database notifications');
    for (const handler of this.#stateHandlers) handler(listening);
  }
}
