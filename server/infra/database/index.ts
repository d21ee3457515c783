export { databasePlugin, type DatabaseHandle } from './database-plugin.ts';
export type { Database } from './schema.ts';
export { migrateToLatest, currentSchemaVersion, isSchemaCurrent } from './migrate.ts';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.ts';
export { openDatabase, type OpenedDatabase } from './open-database.ts';
export { deleteInBatches } from './delete-in-batches.ts';
export { NotificationListener, type Notification } from './notification-listener.ts';
export { NotifiedCache, type PendingLoad } from './notified-cache.ts';
export { QUERY_OPERATIONS, type PoolObserver, type PoolStats, type QueryOperation } from './switchable-pool.ts';
