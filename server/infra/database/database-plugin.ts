/**
 * The `database` plugin: owns the connection pool and the Kysely handle. With no DATABASE_URL it
 * first starts the embedded PostgreSQL under DATA_DIR, and stops it again on close.
 */
import { readFileSync } from 'node:fs';
import fp from 'fastify-plugin';
import type pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from './schema.ts';
import { SwitchablePool, type PoolStats } from './switchable-pool.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
import { migrateToLatest, currentSchemaVersion } from './migrate.ts';

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: SwitchablePool;
  /** 'server' when DATABASE_URL is set, 'embedded' when Watchkeeper runs its own PostgreSQL. */
  mode: 'server' | 'embedded';
  poolStats(): PoolStats;
  schemaVersion(): Promise<string | undefined>;
  reconnect(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    database: DatabaseHandle;
  }
}

export interface DatabasePluginOptions {
  config: Config;
  /** Apply pending migrations at start (the default); `watchkeeper migrate` does it explicitly. */
  migrate?: boolean;
}

/**
 * Connection options for a PostgreSQL server verified with a private CA (DATABASE_SSL_CA_FILE).
 * pg lets TLS parameters in the URL override the `ssl` option, so with a CA file they are taken
 * out of the URL and folded into one `ssl` object: TLS is required, the certificate is checked
 * against the CA, and the host name too unless `sslmode=verify-ca|require|prefer` asks less
 * (libpq's meaning when a root certificate is given). `sslmode=disable` still turns TLS off.
 */
export function postgresTls(url: string, caFile: string | undefined): { connectionString: string; ssl?: pg.PoolConfig['ssl'] } {
  if (!caFile) return { connectionString: url };
  const parsed = new URL(url);
  const param = (name: string) => parsed.searchParams.get(name) ?? undefined;
  const mode = param('sslmode') ?? 'verify-full';
  const cert = param('sslcert');
  const key = param('sslkey');
  for (const name of ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey']) parsed.searchParams.delete(name);
  const connectionString = parsed.toString();
  if (mode === 'disable') return { connectionString, ssl: false };
  return {
    connectionString,
    ssl: {
      ca: readFileSync(caFile, 'utf8'),
      rejectUnauthorized: true,
      ...(cert ? { cert: readFileSync(cert, 'utf8') } : {}),
      ...(key ? { key: readFileSync(key, 'utf8') } : {}),
      ...(mode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
    },
  };
}

export const databasePlugin = fp<DatabasePluginOptions>(
  async (app, { config, migrate = true }) => {
    let embedded: EmbeddedPostgres | undefined;
    let url = config.database.url;
    if (!url) {
      embedded = await startEmbeddedPostgres({ dataDir: config.storage.dataDir, logger: app.log.child({ component: 'embedded-postgres' }) });
      url = embedded.url;
    }

    const pool = new SwitchablePool(
      {
        ...(embedded ? { connectionString: url } : postgresTls(url, config.database.sslCaFile)),
        max: config.database.poolMax,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 30_000,
        statement_timeout: config.database.statementTimeoutMs,
        application_name: 'watchkeeper',
      },
      (error) => app.log.warn({ err: error }, 'idle database connection failed'),
    );
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

    const handle: DatabaseHandle = {
      db,
      pool,
      mode: embedded ? 'embedded' : 'server',
      poolStats: () => pool.stats(),
      schemaVersion: () => currentSchemaVersion(db as Kysely<unknown>),
      reconnect: () => pool.reconnect(),
    };
    app.decorate('database', handle);

    app.addHook('onClose', async () => {
      await db.destroy().catch((error: unknown) => app.log.warn({ err: error }, 'closing the database pool failed'));
      await embedded?.stop();
    });

    if (migrate) {
      try {
        const { applied, current } = await migrateToLatest(db as Kysely<unknown>);
        app.log.info({ applied, schemaVersion: current }, applied.length ? 'migrations applied' : 'schema is current');
      } catch (error) {
        await db.destroy().catch(() => undefined);
        await embedded?.stop();
        throw error;
      }
    }
  },
  { name: 'database' },
);
