/** The process and the Node runtime: CPU, memory, event-loop lag, garbage collection, handles, file descriptors, and the cost of /metrics itself. */
import { dashboard, rate, sel, stat, timeseries } from './panels.ts';

export const RESOURCES_UID = 'watchkeeper-resources';

export const resourcesDashboard = dashboard({
  uid: RESOURCES_UID,
  title: 'Resources',
  description: 'Each instance’s process and Node runtime (prom-client’s default metrics): CPU, memory, heap, event-loop lag, GC, handles and file descriptors.',
  panels: [
    stat({
      title: 'Uptime',
      description: 'Time since each instance’s process started.',
      unit: 's',
      width: 8,
      queries: [{ expr: `time() - ${sel('process_start_time_seconds')}`, legend: '{{instance}}' }],
    }),
    stat(
      {
        title: 'Node.js version',
        description: 'The Node.js version each instance runs.',
        width: 8,
        queries: [{ expr: sel('nodejs_version_info'), legend: '{{version}}' }],
      },
      { textMode: 'name' },
    ),
    stat({
      title: 'File descriptors in use',
      description: 'Open file descriptors as a share of the process’s limit, the highest instance.',
      unit: 'percentunit',
      width: 8,
      thresholds: [
        ['green', null],
        ['yellow', 0.7],
        ['red', 0.9],
      ],
      queries: [{ expr: `max(${sel('process_open_fds')} / ${sel('process_max_fds')})` }],
    }),
    timeseries({
      title: 'CPU',
      description: 'CPU time used per second of wall time, user and system: 1 is one core fully used.',
      unit: 'percentunit',
      min: 0,
      queries: [
        { expr: rate('process_cpu_user_seconds_total'), legend: '{{instance}} user' },
        { expr: rate('process_cpu_system_seconds_total'), legend: '{{instance}} system' },
        { expr: rate('process_cpu_seconds_total'), legend: '{{instance}} total' },
      ],
    }),
    timeseries({
      title: 'Memory',
      description: 'Resident set size, the V8 heap (total and used) and memory outside it (Buffers and other external allocations).',
      unit: 'bytes',
      queries: [
        { expr: sel('process_resident_memory_bytes'), legend: '{{instance}} resident' },
        { expr: sel('nodejs_heap_size_total_bytes'), legend: '{{instance}} heap total' },
        { expr: sel('nodejs_heap_size_used_bytes'), legend: '{{instance}} heap used' },
        { expr: sel('nodejs_external_memory_bytes'), legend: '{{instance}} external' },
      ],
    }),
    timeseries({
      title: 'Heap used by space',
      description: 'V8 heap used per space (new, old, code, large objects …), summed over instances. A steadily growing old space suggests a leak.',
      unit: 'bytes',
      queries: [{ expr: `sum by (space) (${sel('nodejs_heap_space_size_used_bytes')})`, legend: '{{space}}' }],
    }),
    timeseries({
      title: 'Event-loop lag',
      description:
        'How late the event loop ran timers: median, 90th and 99th percentiles and maximum since the previous scrape. Load shedding starts past LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS.',
      unit: 's',
      queries: [
        { expr: sel('nodejs_eventloop_lag_p50_seconds'), legend: '{{instance}} p50' },
        { expr: sel('nodejs_eventloop_lag_p90_seconds'), legend: '{{instance}} p90' },
        { expr: sel('nodejs_eventloop_lag_p99_seconds'), legend: '{{instance}} p99' },
        { expr: sel('nodejs_eventloop_lag_max_seconds'), legend: '{{instance}} max' },
      ],
    }),
    timeseries({
      title: 'Time in garbage collection',
      description: 'Share of wall time spent in GC pauses, by kind (minor, major, incremental, weakcb).',
      unit: 'percentunit',
      min: 0,
      queries: [{ expr: `sum by (instance, kind) (${rate('nodejs_gc_duration_seconds_sum')})`, legend: '{{instance}} {{kind}}' }],
    }),
    timeseries({
      title: 'GC pause p99',
      description: 'The 99th percentile of GC pause durations, by kind.',
      unit: 's',
      queries: [{ expr: `histogram_quantile(0.99, sum by (le, kind) (${rate('nodejs_gc_duration_seconds_bucket')}))`, legend: '{{kind}}' }],
    }),
    timeseries({
      title: 'Active handles and requests',
      description: 'Handles (sockets, timers, pipes) and requests the event loop holds open. Handles that only grow are leaked sockets or timers.',
      unit: 'short',
      queries: [
        { expr: sel('nodejs_active_handles_total'), legend: '{{instance}} handles' },
        { expr: sel('nodejs_active_requests_total'), legend: '{{instance}} requests' },
        { expr: sel('nodejs_active_resources_total'), legend: '{{instance}} resources' },
      ],
    }),
    timeseries({
      title: 'Open file descriptors',
      description: 'File descriptors the process holds open, and its limit.',
      unit: 'short',
      queries: [
        { expr: sel('process_open_fds'), legend: '{{instance}} open' },
        { expr: sel('process_max_fds'), legend: '{{instance}} max' },
      ],
    }),
    timeseries({
      title: 'Cost of /metrics',
      description:
        'How long the previous scrape took to produce, and the longest stretch it held the event loop (exposition is sliced so that other requests are not kept waiting).',
      unit: 's',
      queries: [
        { expr: sel('watchkeeper_metrics_scrape_duration_seconds'), legend: '{{instance}} scrape' },
        { expr: sel('watchkeeper_metrics_scrape_longest_slice_seconds'), legend: '{{instance}} longest slice' },
      ],
    }),
  ],
});
