/**
 * The database pool and its circuit breaker, read from the pool when scraped; the time a checkout
 * waited for a connection and each query's duration by operation, observed as they happen.
 */
import { Histogram, type Registry } from 'prom-client';
import type { DatabaseHandle } from '../../../infra/database/index.ts';
import { ScrapeTimeMetric } from '../../../platform/metrics/index.ts';

const CIRCUIT_STATES = ['closed', 'open', 'half-open'] as const;

/** From a pooled connection handed over at once to a query waiting out the 30 s statement timeout. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Returns the removal of its pool observer. */
export function registerDatabaseMetrics({ registry, database }: { registry: Registry; database: DatabaseHandle }): () => void {
  const gauge = (name: string, help: string, read: () => number) =>
    new ScrapeTimeMetric({ name, help, type: 'gauge', collect: () => [{ value: read() }], registers: [registry] });
  gauge('watchkeeper_database_pool_connections', 'Connections the pool holds (busy and idle)', () => database.poolStats().total);
  gauge('watchkeeper_database_pool_idle_connections', 'Connections the pool holds idle', () => database.poolStats().idle);
  gauge('watchkeeper_database_pool_waiting_requests', 'Calls waiting for a connection', () => database.poolStats().waiting);
  gauge('watchkeeper_database_pool_max_connections', 'The most connections the pool opens', () => database.poolStats().max);
  new ScrapeTimeMetric({
    name: 'watchkeeper_database_circuit_state',
    help: 'The pool circuit breaker: 1 for its current state (open: database calls are refused at once), 0 for the others',
    type: 'gauge',
    collect: () => {
      const current = database.pool.circuit;
      return CIRCUIT_STATES.map((state) => ({ labels: { state }, value: state === current ? 1 : 0 }));
    },
    registers: [registry],
  });

  const acquire = new Histogram({
    name: 'watchkeeper_database_pool_acquire_seconds',
    help: 'How long a checkout waited for a pooled connection (outcome error: none was lent)',
    labelNames: ['outcome'],
    buckets: BUCKETS,
    registers: [registry],
  });
  const query = new Histogram({
    name: 'watchkeeper_database_query_duration_seconds',
    help: 'How long queries took, by operation (the statement’s first keyword: select, insert, update, delete, with, transaction, other)',
    labelNames: ['operation', 'outcome'],
    buckets: BUCKETS,
    registers: [registry],
  });
  return database.pool.observe({
    acquired: (seconds, failed) => acquire.observe({ outcome: failed ? 'error' : 'ok' }, seconds),
    queried: (operation, seconds, failed) => query.observe({ operation, outcome: failed ? 'error' : 'ok' }, seconds),
  });
}
