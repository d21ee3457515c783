/** Watchkeeper's own database: round trip, pool saturation and schema version. */
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../../infra/database/index.ts';
import { isSchemaCurrent } from '../../../infra/database/index.ts';
import { LATEST_MIGRATION } from '../../../migrations/index.ts';
import type { ProbeDefinition } from '../probe.ts';

export function createDatabaseProbe({ database, intervalMs, timeoutMs }: { database: DatabaseHandle; intervalMs?: number; timeoutMs?: number }): ProbeDefinition {
  return {
    id: 'database',
    componentType: 'datastore',
    componentId: database.mode === 'embedded' ? 'embedded-postgresql' : 'postgresql',
    critical: true,
    intervalMs,
    timeoutMs,
    affectedEndpoints: ['/health/history', '/api/services'],
    async check() {
      const started = performance.now();
      const { rows } = await sql<{ version: string | null }>`
        SELECT (SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1) AS version
      `.execute(database.db);
      const roundTripMs = performance.now() - started;
      const version = rows[0]?.version ?? undefined;
      const pool = database.poolStats();
      const schemaOk = isSchemaCurrent(version);
      const saturated = pool.waiting > 0 && pool.total >= pool.max;
      return {
        measurements: [
          { name: 'roundTrip', observedValue: Math.round(roundTripMs * 1000) / 1000, observedUnit: 'ms', status: 'pass' },
          {
            name: 'connections',
            observedValue: pool,
            status: saturated ? 'warn' : 'pass',
            ...(saturated ? { output: `pool saturated: ${pool.waiting} waiting for ${pool.max} connections` } : {}),
          },
          {
            name: 'schemaVersion',
            observedValue: version ?? null,
            status: schemaOk ? 'pass' : 'fail',
            ...(schemaOk ? {} : { output: `schema is at ${version ?? 'nothing'}, expected ${LATEST_MIGRATION}; run \`watchkeeper migrate\`` }),
          },
        ],
      };
    },
    recover: {
      action: 'reconnect the database pool',
      async run() {
        await database.reconnect();
        return 'replaced the connection pool with a fresh one';
      },
    },
  };
}
