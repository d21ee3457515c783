/**
 * The `database` plugin: owns the connection pool and the Kysely handle. With no DATABASE_URL it
 * first starts the embedded PostgreSQL under DATA_DIR, and stops it again on close.
 */
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.ts';
import type { Database } from './schema.ts';
import type { SwitchablePool, PoolStats } from './switchable-pool.ts';
import { openDatabase } from './open-database.ts';
import { migrateToLatest, currentSchemaVersion } from './migrate.ts';
import { NotificationListener } from './notification-listener.ts';

export { postgresTls } from './postgres-tls.ts';

export interface DatabaseHandle {
  db: Kysely<Database>;
  pool: SwitchablePool;
  /** 'server' when DATABASE_URL is set, 'embedded' when Watchkeeper runs its own PostgreSQL. */
  mode: 'server' | 'embedded';
  poolStats(): PoolStats;
  schemaVersion(): Promise<string | undefined>;
  reconnect(): Promise<void>;
  /** LISTEN/NOTIFY: how instances hear of each other's committed changes. Connects on first use. */
  notifications: NotificationListener;
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

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const databasePlugin = fp<DatabasePluginOptions>(
  async (app, { config, migrate = true }) => {
    const { db, pool, mode, connectionOptions, close: closePool } = await openDatabase({ config, logger: app.log });
    const notifications = new NotificationListener({ client: connectionOptions, logger: app.log.child({ component: 'database-notifications' }) });
    const close = async () => {
      await notifications.close();
      await closePool();
    };

    const handle: DatabaseHandle = {
      db,
      pool,
      mode,
      poolStats: () => pool.stats(),
      schemaVersion: () => currentSchemaVersion(db as Kysely<unknown>),
      reconnect: () => pool.reconnect(),
      notifications,
    };
    app.decorate('database', handle);
    app.addHook('onClose', close);
    // Read-your-writes for every cache kept by notifications (notified-cache.ts): a write's answer
    // leaves only once this instance has heard what its commit sent — a cascade included — so the
    // client's next request cannot meet what was true before it.
    app.addHook('onSend', (request, _reply, payload, done) => {
      if (READS.has(request.method) || !notifications.listening) return done(null, payload);
      void notifications.sync().then(() => done(null, payload));
    });

    if (migrate) {
      try {
        const { applied, current } = await migrateToLatest(db as Kysely<unknown>);
        app.log.info({ applied, schemaVersion: current }, applied.length ? 'migrations applied' : 'schema is current');
      } catch (error) {
        await close();
        throw error;
      }
    }
  },
  { name: 'database' },
);
