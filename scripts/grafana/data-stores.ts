/** The database pool and its circuit breaker, and the cache (Redis or the in-process LRU). */
import { dashboard, rate, sel, stat, stateTimeline, timeseries, type Mappings } from './panels.ts';

export const DATA_STORES_UID = 'watchkeeper-data-stores';

/** One value per instance for the circuit's state (`watchkeeper_database_circuit_state` is 1 for the current one): 0 closed, 1 half-open, 2 open. */
export const CIRCUIT_STATE = `${sel('watchkeeper_database_circuit_state', 'state="open"')} * 2 + ignoring(state) ${sel('watchkeeper_database_circuit_state', 'state="half-open"')}`;
export const CIRCUIT_MAPPINGS: Mappings = { 0: ['closed', 'green'], 1: ['half-open', 'orange'], 2: ['open', 'red'] };

const hits = `sum(${rate('watchkeeper_cache_hits_total')})`;
const misses = `sum(${rate('watchkeeper_cache_misses_total')})`;

export const dataStoresDashboard = dashboard({
  uid: DATA_STORES_UID,
  title: 'Database and cache',
  description: 'The PostgreSQL pool and its circuit breaker, and the cache: hits, misses, evictions, keys and memory.',
  panels: [
    timeseries({
      title: 'Database pool connections',
      description:
        'Connections the pool holds, those idle among them, calls waiting for one, and the most it opens. Waiting calls while the pool is at its maximum mean the pool is too small or queries too slow.',
      unit: 'short',
      min: 0,
      queries: [
        { expr: sel('watchkeeper_database_pool_connections'), legend: '{{instance}} held' },
        { expr: sel('watchkeeper_database_pool_idle_connections'), legend: '{{instance}} idle' },
        { expr: sel('watchkeeper_database_pool_waiting_requests'), legend: '{{instance}} waiting' },
        { expr: sel('watchkeeper_database_pool_max_connections'), legend: '{{instance}} max' },
      ],
    }),
    timeseries({
      title: 'Database pool in use',
      description: 'Busy connections (held less idle) as a share of the pool’s maximum.',
      unit: 'percentunit',
      min: 0,
      max: 1,
      queries: [
        {
          expr: `(${sel('watchkeeper_database_pool_connections')} - ${sel('watchkeeper_database_pool_idle_connections')}) / ${sel('watchkeeper_database_pool_max_connections')}`,
          legend: '{{instance}}',
        },
      ],
    }),
    timeseries({
      title: 'Database query duration p99 by operation',
      description:
        'The 99th percentile of query durations by operation (the statement’s first keyword), and of the wait for a pooled connection. A growing wait with a full pool means queries hold connections too long.',
      unit: 's',
      min: 0,
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (le, operation) (${rate('watchkeeper_database_query_duration_seconds_bucket')}))`,
          legend: '{{operation}}',
        },
        { expr: `histogram_quantile(0.99, sum by (le) (${rate('watchkeeper_database_pool_acquire_seconds_bucket')}))`, legend: 'connection wait' },
      ],
    }),
    timeseries({
      title: 'Database queries per second',
      description: 'Queries per second by operation and outcome (error: the query failed, on the server or the connection).',
      unit: 'reqps',
      min: 0,
      queries: [{ expr: `sum by (operation, outcome) (${rate('watchkeeper_database_query_duration_seconds_count')})`, legend: '{{operation}} {{outcome}}' }],
    }),
    stateTimeline({
      title: 'Database circuit breaker',
      description:
        'The pool’s circuit breaker per instance. Open: database calls are refused at once (answers are 503) until a trial call in half-open succeeds.',
      width: 24,
      height: 5,
      mappings: CIRCUIT_MAPPINGS,
      queries: [{ expr: CIRCUIT_STATE, legend: '{{instance}}' }],
    }),
    stat({
      title: 'Cache up',
      description: 'Whether the cache answered its statistics at the last scrape, per instance. While it does not, the other cache series are absent.',
      mappings: { 0: ['down', 'red'], 1: ['up', 'green'] },
      queries: [{ expr: `min by (instance) (${sel('watchkeeper_cache_up')})`, legend: '{{instance}}' }],
    }),
    stat({
      title: 'Cache hit ratio',
      description: 'Reads that found their key, as a share of all reads, over the dashboard’s range.',
      unit: 'percentunit',
      thresholds: [
        ['red', null],
        ['yellow', 0.5],
        ['green', 0.8],
      ],
      queries: [
        {
          expr: `sum(increase(${sel('watchkeeper_cache_hits_total')}[$__range])) / (sum(increase(${sel('watchkeeper_cache_hits_total')}[$__range])) + sum(increase(${sel('watchkeeper_cache_misses_total')}[$__range])))`,
        },
      ],
    }),
    timeseries({
      title: 'Cache hit ratio over time',
      description: 'Reads that found their key, as a share of all reads.',
      unit: 'percentunit',
      width: 16,
      min: 0,
      max: 1,
      queries: [{ expr: `${hits} / (${hits} + ${misses})`, legend: 'hit ratio' }],
    }),
    timeseries({
      title: 'Cache reads',
      description: 'Reads per second that found their key (hits) and did not (misses), per instance.',
      unit: 'ops',
      queries: [
        { expr: `sum by (instance) (${rate('watchkeeper_cache_hits_total')})`, legend: '{{instance}} hits' },
        { expr: `sum by (instance) (${rate('watchkeeper_cache_misses_total')})`, legend: '{{instance}} misses' },
      ],
    }),
    timeseries({
      title: 'Cache evictions',
      description: 'Keys evicted per second to stay within the store’s memory (with Redis, the whole server’s, as every instance reports it).',
      unit: 'ops',
      queries: [{ expr: `max by (kind) (${rate('watchkeeper_cache_evictions_total')})`, legend: '{{kind}}' }],
    }),
    timeseries({
      title: 'Cache keys',
      description: 'Keys in the store (Redis: the whole database, as every instance reports it).',
      unit: 'short',
      queries: [{ expr: sel('watchkeeper_cache_keys'), legend: '{{instance}} {{kind}}' }],
    }),
    timeseries({
      title: 'Cache memory',
      description: 'Memory the store uses and its limit (absent when it has none). For the in-process cache both are entry counts, not bytes.',
      unit: 'bytes',
      queries: [
        { expr: sel('watchkeeper_cache_memory_used_bytes'), legend: '{{instance}} used' },
        { expr: `${sel('watchkeeper_cache_memory_limit_bytes')} > 0`, legend: '{{instance}} limit' },
      ],
    }),
  ],
});
