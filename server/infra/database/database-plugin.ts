/**
 * The `database` plugin: owns the connection pool and the Kysely handle. With no DATABASE_URL it
 * first starts the embedded PostgreSQL under DATA_DIR, and stops it again on close.
 */
import fp from 'fastify-plugin';
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
        connectionString: url,
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
