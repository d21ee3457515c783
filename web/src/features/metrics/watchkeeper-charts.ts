/**
 * The charts of Watchkeeper's own series, as the resource sampler writes them
 * (server/modules/metrics/timeseries/resource-sampler.ts), page by page. A series this instance
 * does not write (yet: network, disk I/O) leaves its chart empty, saying so.
 */
import type { ChartSpec } from './chart-spec.ts';
import { shareOf } from './metric-series.ts';

const fixed = (name: string) => () => name;

export const RESOURCE_CHARTS: ChartSpec[] = [
  {
    id: 'cpu',
    title: 'CPU',
    description: 'Share of one CPU used by the Watchkeeper process, and share of all CPUs busy on the host.',
    unit: 'ratio',
    queries: [
      { metric: 'watchkeeper_process_cpu_ratio', name: fixed('process') },
      { metric: 'watchkeeper_host_cpu_ratio', name: fixed('host') },
    ],
  },
  {
    id: 'memory',
    title: 'Memory',
    description: 'The process’s resident memory and used heap, and the host’s available and total memory.',
    unit: 'bytes',
    queries: [
      { metric: 'watchkeeper_process_resident_memory_bytes', name: fixed('process resident') },
      { metric: 'watchkeeper_process_heap_used_bytes', name: fixed('heap used') },
      { metric: 'watchkeeper_host_memory_available_bytes', name: fixed('host available') },
      { metric: 'watchkeeper_host_memory_total_bytes', name: fixed('host total') },
    ],
  },
  {
    id: 'load',
    title: 'Load average',
    description: 'The host’s 1-minute load average: runnable processes, to compare with its CPU count.',
    unit: 'number',
    queries: [{ metric: 'watchkeeper_host_load_average_1m', name: fixed('load, 1 minute') }],
  },
  {
    id: 'disk-space',
    title: 'Disk space',
    description: 'Free and total space of the file system holding the data directory.',
    unit: 'bytes',
    queries: [
      { metric: 'watchkeeper_data_disk_free_bytes', name: fixed('free') },
      { metric: 'watchkeeper_data_disk_total_bytes', name: fixed('total') },
    ],
  },
  {
    id: 'disk-io',
    title: 'Disk I/O',
    description: 'Bytes read from and written to the data directory’s disk per second.',
    unit: 'bytes-per-second',
    queries: [
      { metric: 'watchkeeper_data_disk_read_bytes_per_second', name: fixed('read') },
      { metric: 'watchkeeper_data_disk_written_bytes_per_second', name: fixed('written') },
    ],
  },
  {
    id: 'network',
    title: 'Network',
    description: 'Bytes the host received and transmitted per second.',
    unit: 'bytes-per-second',
    queries: [
      { metric: 'watchkeeper_host_network_receive_bytes_per_second', name: fixed('received') },
      { metric: 'watchkeeper_host_network_transmit_bytes_per_second', name: fixed('transmitted') },
    ],
  },
  {
    id: 'event-loop-utilization',
    title: 'Event loop utilization',
    description: 'Share of the time the process’s event loop was busy.',
    unit: 'ratio',
    yMax: 1,
    queries: [{ metric: 'watchkeeper_event_loop_utilization', name: fixed('utilization') }],
  },
  {
    id: 'event-loop-delay',
    title: 'Event loop delay',
    description: 'How late timers ran: the 99th percentile and the longest delay of each sampling interval.',
    unit: 'seconds',
    queries: [
      { metric: 'watchkeeper_event_loop_delay_p99_seconds', name: fixed('p99') },
      { metric: 'watchkeeper_event_loop_delay_max_seconds', name: fixed('max') },
    ],
  },
];

const byStatusClass = (labels: Record<string, string>) => labels.status_class ?? 'all';

export const HTTP_CHARTS: ChartSpec[] = [
  {
    id: 'request-rate',
    title: 'Request rate',
    description: 'Requests answered per second, by status class.',
    unit: 'requests-per-second',
    queries: [{ metric: 'watchkeeper_http_requests_per_second', name: byStatusClass }],
    derive: (lines) => [...lines].sort((a, b) => a.name.localeCompare(b.name)),
  },
  {
    id: 'latency',
    title: 'Latency',
    description: 'Time to answer a request: the median (p50), the 95th and the 99th percentile.',
    unit: 'seconds',
    queries: [{ metric: 'watchkeeper_http_request_duration_seconds', name: ({ quantile }) => `p${Math.round(Number(quantile) * 100)}` }],
    derive: (lines) => [...lines].sort((a, b) => Number(a.labels.quantile) - Number(b.labels.quantile)),
  },
  {
    id: 'error-rate',
    title: 'Error rate',
    description: 'Share of the requests answered with a server error (5xx).',
    unit: 'ratio',
    queries: [{ metric: 'watchkeeper_http_requests_per_second', name: byStatusClass }],
    derive: (lines) => shareOf(lines, (line) => line.labels.status_class === '5xx', '5xx share'),
  },
];

export const DATABASE_CHARTS: ChartSpec[] = [
  {
    id: 'pool',
    title: 'Connection pool',
    description: 'PostgreSQL connections open in the pool, those idle among them, and the queries waiting for one.',
    unit: 'count',
    aggregation: 'max',
    queries: [
      { metric: 'watchkeeper_database_pool_connections', name: fixed('open') },
      { metric: 'watchkeeper_database_pool_idle_connections', name: fixed('idle') },
      { metric: 'watchkeeper_database_pool_waiting_requests', name: fixed('waiting') },
    ],
  },
];

export const CACHE_CHARTS: ChartSpec[] = [
  {
    id: 'hit-ratio',
    title: 'Hit ratio',
    description: 'Share of cache lookups that found their key.',
    unit: 'ratio',
    yMax: 1,
    queries: [{ metric: 'watchkeeper_cache_hit_ratio', name: fixed('hit ratio') }],
  },
  {
    id: 'keys',
    title: 'Keys',
    description: 'Keys held in the cache.',
    unit: 'count',
    queries: [{ metric: 'watchkeeper_cache_keys', name: fixed('keys') }],
  },
  {
    id: 'cache-memory',
    title: 'Memory',
    description: 'Memory the cache uses.',
    unit: 'bytes',
    queries: [{ metric: 'watchkeeper_cache_memory_used_bytes', name: fixed('memory used') }],
  },
];
