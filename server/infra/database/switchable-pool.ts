/**
 * A pg pool that can be replaced while the app runs. Kysely holds this object, so the health
 * system's recovery action ("reconnect the database pool") swaps the underlying pool without
 * every repository having to learn about it.
 */
import pg from 'pg';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** pg's message when `query_timeout` gives up on a query the server has not answered. */
export const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

/**
 * A query that timed out on the client is still running, or stuck, on its connection, and every
 * later query on it waits behind it. Kysely returns connections without an error, so the pool
 * would lend that connection again: its release (pg-pool assigns one per checkout) is made to
 * pass an error, which makes the pool discard the connection. Not ended at once: a ROLLBACK that
 * follows on the same checkout should fail as a timeout too, not as "client was closed".
 */
function discardOnQueryTimeout(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const result = query(...args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if ((error as Error)?.message !== QUERY_TIMEOUT_MESSAGE) return;
        const release = client.release;
        client.release = (err?: Error | boolean) => release(err ?? (error as Error));
      });
    }
    return result;
  };
}

export class SwitchablePool {
  #current: pg.Pool;
  /** Replaced pools still closing (they wait for their borrowed clients to come back). */
  readonly #retiring = new Set<Promise<void>>();
  readonly #options: pg.PoolConfig;
  readonly #onError: (error: Error) => void;
  /** Every pool's clients whose connection has not closed yet. */
  readonly #open = new Map<pg.Pool, Set<pg.Client>>();

  constructor(options: pg.PoolConfig, onError: (error: Error) => void) {
    this.#options = options;
    this.#onError = onError;
    this.#current = this.#create();
  }

  #create(): pg.Pool {
    const pool = new pg.Pool(this.#options);
    this.#open.set(pool, new Set());
    // An idle client losing its server emits here; without a listener the process would crash.
    pool.on('error', this.#onError);
    // So does a borrowed one: pg-pool removes its listener while a client is checked out, and a
    // connection reset mid-query would emit an unhandled 'error' and crash the process. The query
    // itself is already rejected with the error, so there is nothing more to do here.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      discardOnQueryTimeout(client);
      const open = this.#open.get(pool)!;
      open.add(client);
      client.once('end', () => open.delete(client));
    });
    return pool;
  }

  /**
   * pg-pool's end() resolves once it has *asked* every client to end, not once their connections
   * have closed. Stopping the embedded cluster right after would then terminate connections still
   * closing, and each would report "terminating connection due to administrator command".
   */
  async #endFully(pool: pg.Pool): Promise<void> {
    await pool.end();
    const closing = [...(this.#open.get(pool) ?? [])].map((client) => new Promise<void>((resolve) => client.once('end', () => resolve())));
    await Promise.all(closing);
    this.#open.delete(pool);
  }

  get pool(): pg.Pool {
    return this.#current;
  }

  connect(): Promise<pg.PoolClient> {
    return this.#current.connect();
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.#current.query<R>(text, values);
  }

  stats(): PoolStats {
    const pool = this.#current;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: this.#options.max ?? 10 };
  }

  /**
   * Replaces the pool with a fresh one; the old pool's clients finish and close in the background.
   * Not waited for: a leaked or stuck client would make a recovery that worked look failed.
   */
  async reconnect(): Promise<void> {
    const previous = this.#current;
    this.#current = this.#create();
    const closing = this.#endFully(previous).catch(this.#onError);
    this.#retiring.add(closing);
    void closing.finally(() => this.#retiring.delete(closing));
  }

  async end(): Promise<void> {
    await Promise.all([this.#endFully(this.#current), ...this.#retiring]);
  }
}
