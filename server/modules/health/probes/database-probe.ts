/** Watchkeeper's own database: round trip, pool saturation and schema version. */
import type pg from 'pg';
import type { DatabaseHandle } from '../../../infra/database/index.ts';
import { isSchemaCurrent } from '../../../infra/database/index.ts';
import { LATEST_MIGRATION } from '../../../migrations/index.ts';
import type { ProbeDefinition } from '../../../platform/probes/index.ts';

/** A pooled connection, unless the check is aborted first (one that comes later goes straight back). */
function connect(database: DatabaseHandle, signal: AbortSignal): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    database.pool.connect().then(
      (client) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) client.release();
        else resolve(client);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

/**
 * The probe's queries, one after the other on one connection, given up with the connection when the
 * check is aborted: a query stuck behind a lock or on a hung server would otherwise hold a pool
 * connection past the check's timeout (until statement_timeout, or for ever) — one more with every
 * run, and the pool could not close on shutdown. `onUnanswered` learns which query was in flight.
 */
async function queriesUnlessAborted(
  client: pg.PoolClient,
  texts: readonly string[],
  { signal, onUnanswered }: { signal: AbortSignal; onUnanswered: (inFlight: number) => void },
): Promise<pg.QueryResultRow[][]> {
  let onAbort: () => void = () => undefined;
  let destroyed = false;
  let inFlight = 0;
  // Settle at once: the connection's end is only noticed once the server reads it, which a
  // backend waiting on a lock does not do.
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      destroyed = true;
      onUnanswered(inFlight);
      client.release(true);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const results: pg.QueryResultRow[][] = [];
    for (const [index, text] of texts.entries()) {
      inFlight = index;
      results.push((await Promise.race([client.query(text), aborted])).rows);
    }
    return results;
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!destroyed) client.release();
  }
}

export function createDatabaseProbe({
  database,
  intervalMs,
  timeoutMs,
}: {
  database: DatabaseHandle;
  intervalMs?: number;
  timeoutMs?: number;
}): ProbeDefinition {
  return {
    id: 'database',
    componentType: 'datastore',
    componentId: database.mode === 'embedded' ? 'embedded-postgresql' : 'postgresql',
    critical: true,
    intervalMs,
    timeoutMs,
    affectedEndpoints: ['/health/history', '/api/services'],
    async check({ signal }) {
      const client = await connect(database, signal);
      const started = performance.now();
      const [, rows = []] = await queriesUnlessAborted(
        client,
        ['SELECT 1', 'SELECT (SELECT name FROM kysely_migration ORDER BY name DESC LIMIT 1) AS version'],
        {
          signal,
          // `SELECT 1` needs nothing but a server that answers. Unanswered for the check's whole
          // timeout, the server is not answering, and requests stop waiting on it too
          // (switchable-pool.ts) until it answers one. A version query blocked by a lock is not that.
          onUnanswered: (inFlight) => {
            if (inFlight === 0) database.pool.reportUnanswered();
          },
        },
      );
      const roundTripMs = performance.now() - started;
      const version = (rows[0] as { version: string | null } | undefined)?.version ?? undefined;
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
        return 'replaced the connection pool with a fresh one; the old one closes as its connections are returned';
      },
    },
  };
}
