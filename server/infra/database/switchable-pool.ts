/**
 * A pg pool that can be replaced while the app runs. Kysely holds this object, so the health
 * system's recovery action ("reconnect the database pool") swaps the underlying pool without
 * every repository having to learn about it.
 */
import pg from 'pg';
import { CircuitOpenError, createCircuitBreaker, type CircuitBreaker, type CircuitState } from '../circuit-breaker.ts';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** pg's message when `query_timeout` gives up on a query the server has not answered. */
export const QUERY_TIMEOUT_MESSAGE = 'Query read timeout';

/**
 * Every query's outcome tells the circuit breaker whether the server answers (a result, or an
 * error carrying a SQLSTATE) or not (a timeout, a dropped connection).
 *
 * A query that timed out on the client is still running, or stuck, on its connection, and every
 * later query on it waits behind it. Kysely returns connections without an error, so the pool
 * would lend that connection again: its release (pg-pool assigns one per checkout) is made to
 * pass an error, which makes the pool discard the connection. Not ended at once: a ROLLBACK that
 * follows on the same checkout should fail as a timeout too, not as "client was closed".
 */
function observeQueries(client: pg.PoolClient, breaker: CircuitBreaker, observers: readonly PoolObserver[]): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const started = observers.length > 0 ? performance.now() : undefined;
    const done = (failed: boolean) => {
      if (started === undefined) return;
      const seconds = (performance.now() - started) / 1000;
      const operation = operationOf(args[0]);
      for (const observer of observers) observer.queried?.(operation, seconds, failed);
    };
    // pg-pool's own pool.query() passes a callback (and gets no promise back).
    const callback = args.at(-1);
    if (started !== undefined && typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, ...rest: unknown[]) => {
        done(Boolean(error));
        return (callback as (...a: unknown[]) => unknown)(error, ...rest);
      };
    }
    const result = query(...args);
    if (result instanceof Promise) {
      result.then(
        () => {
          done(false);
          breaker.succeeded();
        },
        (error: unknown) => {
          done(true);
          // An error the server sent (it has a SQLSTATE) means it answers.
          if (typeof (error as { code?: unknown })?.code === 'string') return breaker.succeeded();
          const timedOut = (error as Error)?.message === QUERY_TIMEOUT_MESSAGE;
          breaker.failed({ timedOut });
          if (!timedOut) return;
          const release = client.release;
          client.release = (err?: Error | boolean) => release(err ?? (error as Error));
        },
      );
    }
    return result;
  };
}

export const QUERY_OPERATIONS = ['select', 'insert', 'update', 'delete', 'with', 'transaction', 'other'] as const;
export type QueryOperation = (typeof QUERY_OPERATIONS)[number];
const TRANSACTION_KEYWORDS = new Set(['begin', 'start', 'commit', 'rollback', 'savepoint', 'release', 'end', 'abort']);

/** A statement's kind, by its first keyword: a bounded set, never the statement itself. */
export function operationOf(query: unknown): QueryOperation {
  const text = typeof query === 'string' ? query : typeof (query as { text?: unknown })?.text === 'string' ? (query as { text: string }).text : '';
  const keyword = /^\s*([a-zA-Z]+)/.exec(text.slice(0, 40))?.[1]?.toLowerCase() ?? '';
  if (TRANSACTION_KEYWORDS.has(keyword)) return 'transaction';
  return (QUERY_OPERATIONS as readonly string[]).includes(keyword) ? (keyword as QueryOperation) : 'other';
}

/** Told of every checkout and query, for the metrics (modules/metrics/collectors/database-metrics.ts). */
export interface PoolObserver {
  /** A connection was lent, or refused, after waiting this long. */
  acquired?(seconds: number, failed: boolean): void;
  /** A query finished after this long. */
  queried?(operation: QueryOperation, seconds: number, failed: boolean): void;
}

/** How long, once PostgreSQL stopped answering, calls are refused at once before one tries again. */
const CIRCUIT_COOLDOWN_MS = 2_000;

export interface SwitchablePoolOptions {
  /** Told when PostgreSQL stops answering (open) and answers again (closed), for one log line each. */
  onCircuitChange?: (state: CircuitState) => void;
}

export class SwitchablePool {
  #current: pg.Pool;
  /** Replaced pools still closing (they wait for their borrowed clients to come back). */
  readonly #retiring = new Set<Promise<void>>();
  readonly #options: pg.PoolConfig;
  readonly #onError: (error: Error) => void;
  /** Every pool's clients whose connection has not closed yet. */
  readonly #open = new Map<pg.Pool, Set<pg.Client>>();
  readonly #observers: PoolObserver[] = [];

  /**
   * A query that got no answer within query_timeout (a frozen or partitioned server), a connection
   * not made in time, or the health check's query timing out opens it: then every call is refused
   * at once (503) instead of each request waiting out the timeout, until one call gets an answer.
   */
  readonly #breaker: CircuitBreaker;

  constructor(options: pg.PoolConfig, onError: (error: Error) => void, { onCircuitChange }: SwitchablePoolOptions = {}) {
    this.#options = options;
    this.#onError = onError;
    this.#breaker = createCircuitBreaker({ cooldownMs: CIRCUIT_COOLDOWN_MS, ...(onCircuitChange ? { onChange: onCircuitChange } : {}) });
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
      observeQueries(client, this.#breaker, this.#observers);
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

  /** Adds an observer of checkouts and queries (on every client, connected before or after); returns its removal. */
  observe(observer: PoolObserver): () => void {
    this.#observers.push(observer);
    return () => {
      const at = this.#observers.indexOf(observer);
      if (at !== -1) this.#observers.splice(at, 1);
    };
  }

  connect(): Promise<pg.PoolClient> {
    if (!this.#breaker.tryAcquire()) return Promise.reject(new CircuitOpenError('PostgreSQL'));
    const started = this.#observers.length > 0 ? performance.now() : undefined;
    const acquired = (failed: boolean) => {
      if (started === undefined) return;
      for (const observer of this.#observers) observer.acquired?.((performance.now() - started) / 1000, failed);
    };
    return this.#current.connect().then(
      (client) => {
        acquired(false);
        return client;
      },
      (error: unknown) => {
        acquired(true);
        // A connection not made in time opens the circuit; waiting for a busy pool's turn does not (that
        // is load, not a silent server), and a refusal outright only reopens it when this was its probe.
        this.#breaker.failed({ timedOut: /due to connection timeout/.test((error as Error)?.message ?? '') });
        throw error;
      },
    );
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    if (!this.#breaker.tryAcquire()) return Promise.reject(new CircuitOpenError('PostgreSQL'));
    return this.#current.query<R>(text, values);
  }

  /** Whether calls are refused at once because PostgreSQL stopped answering. */
  get circuit(): CircuitState {
    return this.#breaker.state;
  }

  /** A query of someone else's (the health check's) got no answer in its time: stop waiting on the server. */
  reportUnanswered(): void {
    this.#breaker.failed({ timedOut: true });
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
