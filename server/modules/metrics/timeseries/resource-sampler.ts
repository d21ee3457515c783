/**
 * What Watchkeeper records about itself every sampling interval (15 s by default), as points for
 * the time-series store: system resources (CPU of the process and the host, memory, load, disk of
 * the data volume, event-loop utilization and delay), HTTP traffic (requests per second and
 * latency percentiles by the interval's own requests, from the request histogram), the database
 * pool and the cache (its hit ratio over the interval), network and data-disk bytes per second,
 * every health component's check that finished in the interval (its duration and status, in the
 * component's own project), and user activity (audit records by action). Each round reads
 * counters and diffs them against the previous round, so a point says what happened in its
 * interval, not since start.
 */
import { statfs } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { HealthStatus } from '../../../../contracts/health.ts';
import type { CacheStats } from '../../../infra/cache/index.ts';
import type { PoolStats } from '../../../infra/database/index.ts';
import { HTTP_DURATION_METRIC, type MetricFamily } from '../../../platform/metrics/index.ts';
import { bucketIncrease, histogramQuantile, increase, readHttpHistogram, type HttpHistogramReading } from '../http-histogram.ts';
import type { ComponentState } from '../../health/index.ts';
import { readHostIo, type HostIoCounters } from './host-io.ts';
import type { SampledPoint } from './time-series-repository.ts';

export interface ResourceSamplerDeps {
  projectId: string;
  /** Told apart from the other instances' series by this label's value. */
  instance: string;
  registry: Registry;
  dataDir: string;
  poolStats: () => PoolStats;
  cacheStats: () => Promise<CacheStats>;
  /** Every health component of every project. */
  healthStates?: () => ComponentState[];
  hostIo?: () => Promise<HostIoCounters>;
  now?: () => number;
}

const QUANTILES = [0.5, 0.95, 0.99];
/** As on /metrics (watchkeeper_health_status). */
const STATUS_VALUE: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };

export function createResourceSampler({
  projectId,
  instance,
  registry,
  dataDir,
  poolStats,
  cacheStats,
  healthStates = () => [],
  hostIo = () => readHostIo(dataDir),
  now = Date.now,
}: ResourceSamplerDeps) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let last:
    | {
        at: number;
        cpu: NodeJS.CpuUsage;
        host: { idle: number; total: number };
        elu: EventLoopUtilization;
        http: HttpHistogramReading;
        cache?: CacheStats | undefined;
        io: HostIoCounters;
      }
    | undefined;
  const actions = new Map<string, number>();

  const point = (name: string, value: number, labels: Record<string, string> = {}): SampledPoint => ({
    projectId,
    name,
    labels: { instance, ...labels },
    value,
  });

  /** The checks that finished since the previous round (the first round takes each one's latest). */
  function healthPoints(since: number | undefined): SampledPoint[] {
    const out: SampledPoint[] = [];
    for (const state of healthStates()) {
      if (!state.checkedAt || state.status === undefined || (since !== undefined && state.checkedAt.getTime() <= since)) continue;
      const labels = { instance, component: state.id, type: state.componentType };
      out.push({ projectId: state.scope.projectId, name: 'watchkeeper_health_status', labels, value: STATUS_VALUE[state.status] });
      if (state.latencyMs !== undefined)
        out.push({ projectId: state.scope.projectId, name: 'watchkeeper_health_check_duration_seconds', labels, value: state.latencyMs / 1000 });
    }
    return out;
  }

  return {
    /** Counts an audit record into the current interval (wired to the bus's `audit.recorded`). */
    countAction(action: string, outcome: string, count = 1): void {
      const key = `${action}\u0000${outcome}`;
      actions.set(key, (actions.get(key) ?? 0) + count);
    },

    /** One round: the points of the interval since the previous round (the first round only sets the baseline for rates). */
    async sample(): Promise<SampledPoint[]> {
      const at = now();
      const cpu = process.cpuUsage();
      const host = hostCpu();
      const elu = performance.eventLoopUtilization();
      const http = await httpTotals(registry);
      const cache = await cacheStats().catch(() => undefined);
      const memory = process.memoryUsage();
      const io = await hostIo().catch((): HostIoCounters => ({}));
      const points: SampledPoint[] = [
        point('watchkeeper_process_resident_memory_bytes', memory.rss),
        point('watchkeeper_process_heap_used_bytes', memory.heapUsed),
        point('watchkeeper_host_memory_available_bytes', freemem()),
        point('watchkeeper_host_memory_total_bytes', totalmem()),
        point('watchkeeper_host_load_average_1m', loadavg()[0]!),
      ];
      const disk = await statfs(dataDir).catch(() => undefined);
      if (disk) {
        points.push(point('watchkeeper_data_disk_free_bytes', disk.bavail * disk.bsize), point('watchkeeper_data_disk_total_bytes', disk.blocks * disk.bsize));
      }
      const pool = poolStats();
      points.push(
        point('watchkeeper_database_pool_connections', pool.total),
        point('watchkeeper_database_pool_idle_connections', pool.idle),
        point('watchkeeper_database_pool_waiting_requests', pool.waiting),
      );
      if (cache) points.push(point('watchkeeper_cache_keys', cache.keys), point('watchkeeper_cache_memory_used_bytes', cache.memoryUsedBytes));
      if (delay.count > 0) {
        points.push(
          point('watchkeeper_event_loop_delay_p99_seconds', delay.percentile(99) / 1e9),
          point('watchkeeper_event_loop_delay_max_seconds', delay.max / 1e9),
        );
      }
      delay.reset();

      if (last) {
        const seconds = (at - last.at) / 1000;
        if (seconds > 0) {
          const cpuSeconds = (cpu.user - last.cpu.user + cpu.system - last.cpu.system) / 1e6;
          points.push(point('watchkeeper_process_cpu_ratio', cpuSeconds / seconds));
          const hostTotal = host.total - last.host.total;
          if (hostTotal > 0) points.push(point('watchkeeper_host_cpu_ratio', 1 - (host.idle - last.host.idle) / hostTotal));
          points.push(point('watchkeeper_event_loop_utilization', performance.eventLoopUtilization(elu, last.elu).utilization));
          for (const [statusClass, count] of http.byClass) {
            points.push(
              point('watchkeeper_http_requests_per_second', increase(count, last.http.byClass.get(statusClass)) / seconds, { status_class: statusClass }),
            );
          }
          const interval = bucketIncrease(http.buckets, last.http.buckets);
          for (const quantile of QUANTILES) {
            const value = histogramQuantile(quantile, interval);
            if (value !== undefined) points.push(point('watchkeeper_http_request_duration_seconds', value, { quantile: String(quantile) }));
          }
          const perSecond = (name: string, current: number | undefined, previous: number | undefined) => {
            if (current !== undefined && previous !== undefined) points.push(point(name, increase(current, previous) / seconds));
          };
          perSecond('watchkeeper_host_network_receive_bytes_per_second', io.network?.receivedBytes, last.io.network?.receivedBytes);
          perSecond('watchkeeper_host_network_transmit_bytes_per_second', io.network?.transmittedBytes, last.io.network?.transmittedBytes);
          perSecond('watchkeeper_data_disk_read_bytes_per_second', io.disk?.readBytes, last.io.disk?.readBytes);
          perSecond('watchkeeper_data_disk_written_bytes_per_second', io.disk?.writtenBytes, last.io.disk?.writtenBytes);
          if (cache && last.cache) {
            const hits = cache.hits - last.cache.hits;
            const lookups = hits + cache.misses - last.cache.misses;
            if (lookups > 0) points.push(point('watchkeeper_cache_hit_ratio', hits / lookups));
          }
        }
        for (const [key, count] of actions) {
          const [action = '', outcome = ''] = key.split('\u0000');
          points.push(point('watchkeeper_user_actions', count, { action, outcome }));
        }
      }
      points.push(...healthPoints(last?.at));
      actions.clear();
      last = { at, cpu, host, elu, http, cache, io };
      return points;
    },

    stop(): void {
      delay.disable();
    },
  };
}

export type ResourceSampler = ReturnType<typeof createResourceSampler>;

function hostCpu(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const core of cpus()) {
    const t = core.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

async function httpTotals(registry: Registry): Promise<HttpHistogramReading> {
  const metric = registry.getSingleMetric(HTTP_DURATION_METRIC) as unknown as { get(): Promise<MetricFamily> | MetricFamily } | undefined;
  return metric ? readHttpHistogram(await metric.get()) : { byClass: new Map(), buckets: new Map() };
}
