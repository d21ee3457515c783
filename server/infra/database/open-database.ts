/**
 * The one way Watchkeeper opens its database, for the server and every command alike:
 * configuration → pool options (TLS from DATABASE_SSL_CA_FILE, timeouts) → the embedded cluster
 * or the server → a Kysely handle, and one close() that also stops the embedded cluster.
 */
import type pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Config } from '../config/index.ts';
import type { Database } from './schema.ts';
import { SwitchablePool } from './switchable-pool.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
import { postgresTls } from './postgres-tls.ts';

export interface OpenedDatabase {
  db: Kysely<Database>;
  pool: SwitchablePool;
  /** 'server' when DATABASE_URL is set, 'embedded' when Watchkeeper runs its own PostgreSQL. */
  mode: 'server' | 'embedded';
  embedded: EmbeddedPostgres | undefined;
  /** The pool's connection options, for a connection of its own (the notification listener). */
  connectionOptions: pg.PoolConfig;
  /** Closes the pool, then stops the embedded cluster; safe to call more than once. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  config: Config;
  logger: Logger;
  poolMax?: number;
  /** Run one query before returning, and fail with a message naming the server when it cannot (for commands). */
  verify?: boolean;
}

/**
 * The client-side bound on every query. The server's statement_timeout cancels a slow query
 * cleanly, but a frozen or partitioned server enforces nothing, so the client waits too — a little
 * longer, so that a merely slow query still ends with the server's own cancellation.
 */
export function queryTimeoutMs(config: Config): number {
  return config.database.queryTimeoutMs ?? config.database.statementTimeoutMs + 5_000;
}

export function poolOptions(
  config: Config,
  url: string,
  { embedded, poolMax = config.database.poolMax }: { embedded: boolean; poolMax?: number },
): pg.PoolConfig {
  return {
    // The embedded cluster listens on loopback only, without TLS.
    ...(embedded ? { connectionString: url } : postgresTls(url, config.database.sslCaFile)),
    max: poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: config.database.statementTimeoutMs,
    query_timeout: queryTimeoutMs(config),
    application_name: 'watchkeeper',
  };
}

function describeServer(config: Config, url: string): string {
  const { hostname, port } = new URL(url);
  const where = `${hostname}:${port || 5432}`;
  return config.database.sslCaFile ? `${where} (certificate checked against DATABASE_SSL_CA_FILE ${config.database.sslCaFile})` : where;
}

export async function openDatabase({ config, logger, poolMax, verify = false }: OpenDatabaseOptions): Promise<OpenedDatabase> {
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.storage.dataDir, logger: logger.child({ component: 'embedded-postgres' }) });
  const url = config.database.url ?? embedded!.url;
  let db: Kysely<Database> | undefined;
  const close = async () => {
    await db?.destroy().catch((error: unknown) => logger.warn({ err: error }, 'closing the database pool failed'));
    await embedded?.stop();
  };
  let closing: Promise<void> | undefined;
  try {
    const connectionOptions = poolOptions(config, url, { embedded: embedded !== undefined, poolMax });
    const pool = new SwitchablePool(connectionOptions, (error) => logger.warn({ err: error }, 'idle database connection failed'), {
      onCircuitChange: (state) => {
        if (state === 'open') logger.warn('PostgreSQL did not answer in time: refusing database calls at once until one is answered');
        else if (state === 'closed') logger.info('PostgreSQL answers again');
      },
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    if (verify) {
      try {
        await sql`SELECT 1`.execute(db);
      } catch (error) {
        throw new Error(`cannot use PostgreSQL at ${describeServer(config, url)}: ${(error as Error).message}`, { cause: error });
      }
    }
    return { db, pool, mode: embedded ? 'embedded' : 'server', embedded, connectionOptions, close: () => (closing ??= close()) };
  } catch (error) {
    await close();
    throw error;
  }
}
