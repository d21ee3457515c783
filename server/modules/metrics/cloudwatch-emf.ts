/**
 * Watchkeeper's key metrics as CloudWatch Embedded Metric Format (EMF) lines, one JSON document a
 * line, so that CloudWatch Logs turns a container's stdout (ECS with the awslogs driver) into
 * metrics with no agent and no AWS credentials.
 *
 * The values come from `app.metrics`, the registry /metrics serves, so CloudWatch and Prometheus
 * see the same numbers. Counters become the change since the previous line (CloudWatch sums data
 * points; it has no counters), the request latency percentiles are estimated from the change of
 * the duration histogram's buckets, and a metric that has no honest value this time (no request,
 * no cache read, a collector that failed) is left out of the line rather than written as 0.
 *
 * Not written through pino: the logger's level, format and destination are the operator's to
 * choose (LOG_LEVEL=warn must not silence the metrics), and a line of pure EMF is what CloudWatch
 * parses. One document is a single `write` of well under PIPE_BUF (4 KiB), so on a pipe it cannot
 * be interleaved with the logger's lines.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { EmfDocument, EmfMetricDefinition, EmfUnit } from '../../../contracts/cloudwatch-emf.ts';
import { HTTP_DURATION_METRIC, type MetricFamily } from '../../platform/metrics/index.ts';
import { bucketIncrease, histogramQuantile, increase, readHttpHistogram, type Buckets } from './http-histogram.ts';

/** Where the lines go: process.stdout in production, a buffer in tests. */
export interface EmfOutput {
  write(line: string): unknown;
}

export interface CloudWatchEmfOptions {
  registry: Registry;
  output: EmfOutput;
  namespace?: string;
  /**
   * The dimensions of every metric. Few, with few values: each combination of values is a
   * CloudWatch custom metric, billed monthly, so a per-task value (a hostname) belongs in
   * `properties` instead.
   */
  dimensions?: Record<string, string>;
  /** Root members that are not dimensions: in the log event for Logs Insights, free of metric cost. */
  properties?: Record<string, string>;
  now?: () => number;
  /** A family whose read failed; its metrics are left out of that line. */
  onError?: (family: string, error: unknown) => void;
}

export interface CloudWatchEmf {
  /** Starts measuring what is not in the registry (the event-loop delay of each interval). */
  start(): void;
  /** Reads the key metrics, writes one line, and returns the document written. */
  emit(): Promise<EmfDocument>;
  stop(): void;
}

/** The metrics of a line, by their CloudWatch name. */
export const EMF_METRICS = {
  RequestCount: 'Count',
  ServerErrorCount: 'Count',
  RequestLatencyP50: 'Milliseconds',
  RequestLatencyP99: 'Milliseconds',
  ResidentMemory: 'Bytes',
  HeapUsed: 'Bytes',
  EventLoopDelayP99: 'Milliseconds',
  DatabasePoolConnections: 'Count',
  DatabasePoolWaiting: 'Count',
  DatabaseCircuitOpen: 'None',
  CacheHitRatio: 'Percent',
  HealthComponentsFailing: 'Count',
  HealthComponentsDegraded: 'Count',
} as const satisfies Record<string, EmfUnit>;
export type EmfMetricName = keyof typeof EMF_METRICS;

interface CounterReadings {
  requests?: number;
  serverErrors?: number;
  buckets?: Buckets;
  cacheHits?: number;
  cacheMisses?: number;
}

const sum = (family: MetricFamily | undefined) => family?.values.reduce((total, sample) => total + sample.value, 0);
const first = (family: MetricFamily | undefined) => family?.values[0]?.value;

function httpReadings(family: MetricFamily | undefined): Pick<CounterReadings, 'requests' | 'serverErrors' | 'buckets'> {
  if (!family) return {};
  const { byClass, buckets } = readHttpHistogram(family);
  return { requests: [...byClass.values()].reduce((total, count) => total + count, 0), serverErrors: byClass.get('5xx') ?? 0, buckets };
}

export function createCloudWatchEmf({
  registry,
  output,
  namespace = 'Watchkeeper',
  dimensions = { Service: 'watchkeeper' },
  properties = {},
  now = Date.now,
  onError = () => {},
}: CloudWatchEmfOptions): CloudWatchEmf {
  // Our own monitor, not prom-client's nodejs_eventloop_lag_p99_seconds: that one is reset by
  // every Prometheus scrape, so reading it here would steal part of Prometheus's window (and
  // give ours whatever the last scrape left).
  let eventLoopDelay: IntervalHistogram | undefined;
  // Until the first line, the counters' previous readings are 0: the first line counts from boot.
  let previous: CounterReadings = {};

  async function read(name: string): Promise<MetricFamily | undefined> {
    const metric = registry.getSingleMetric(name) as unknown as { get(): Promise<MetricFamily> | MetricFamily } | undefined;
    if (!metric) return undefined;
    try {
      return await metric.get();
    } catch (error) {
      onError(name, error);
      return undefined;
    }
  }

  async function readValues(): Promise<Partial<Record<EmfMetricName, number>>> {
    const [http, rss, heap, connections, waiting, circuit, hits, misses, health] = await Promise.all(
      [
        HTTP_DURATION_METRIC,
        'process_resident_memory_bytes',
        'nodejs_heap_size_used_bytes',
        'watchkeeper_database_pool_connections',
        'watchkeeper_database_pool_waiting_requests',
        'watchkeeper_database_circuit_state',
        'watchkeeper_cache_hits_total',
        'watchkeeper_cache_misses_total',
        'watchkeeper_health_status',
      ].map(read),
    );
    const values: Partial<Record<EmfMetricName, number>> = {};
    const current: CounterReadings = { ...httpReadings(http), cacheHits: sum(hits), cacheMisses: sum(misses) };
    // A family that could not be read this time keeps its previous reading, so the next line
    // counts from there.
    if (hits?.values.length === 0) current.cacheHits = undefined;
    if (misses?.values.length === 0) current.cacheMisses = undefined;

    if (current.requests !== undefined) values.RequestCount = increase(current.requests, previous.requests);
    if (current.serverErrors !== undefined) values.ServerErrorCount = increase(current.serverErrors, previous.serverErrors);
    if (current.buckets) {
      const change = bucketIncrease(current.buckets, previous.buckets);
      const p50 = histogramQuantile(0.5, change);
      const p99 = histogramQuantile(0.99, change);
      if (p50 !== undefined) values.RequestLatencyP50 = p50 * 1000;
      if (p99 !== undefined) values.RequestLatencyP99 = p99 * 1000;
    }
    values.ResidentMemory = first(rss);
    values.HeapUsed = first(heap);
    if (eventLoopDelay && eventLoopDelay.count > 0) values.EventLoopDelayP99 = eventLoopDelay.percentile(99) / 1e6;
    eventLoopDelay?.reset();
    values.DatabasePoolConnections = first(connections);
    values.DatabasePoolWaiting = first(waiting);
    const open = circuit?.values.find((sample) => sample.labels?.state === 'open');
    if (open) values.DatabaseCircuitOpen = open.value;
    if (current.cacheHits !== undefined && current.cacheMisses !== undefined) {
      const hitCount = increase(current.cacheHits, previous.cacheHits);
      const reads = hitCount + increase(current.cacheMisses, previous.cacheMisses);
      if (reads > 0) values.CacheHitRatio = (hitCount / reads) * 100;
    }
    if (health) {
      values.HealthComponentsFailing = health.values.filter((sample) => sample.value === 2).length;
      values.HealthComponentsDegraded = health.values.filter((sample) => sample.value === 1).length;
    }

    previous = {
      requests: current.requests ?? previous.requests,
      serverErrors: current.serverErrors ?? previous.serverErrors,
      buckets: current.buckets ?? previous.buckets,
      cacheHits: current.cacheHits ?? previous.cacheHits,
      cacheMisses: current.cacheMisses ?? previous.cacheMisses,
    };
    return values;
  }

  async function emitOnce(): Promise<EmfDocument> {
    const values = await readValues();
    const metrics: EmfMetricDefinition[] = [];
    const members: Record<string, number> = {};
    for (const [name, value] of Object.entries(values) as Array<[EmfMetricName, number | undefined]>) {
      if (value === undefined || !Number.isFinite(value)) continue;
      metrics.push({ Name: name, Unit: EMF_METRICS[name] });
      members[name] = value;
    }
    const document: EmfDocument = {
      _aws: {
        Timestamp: Math.round(now()),
        CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: metrics }],
      },
      ...properties,
      ...dimensions,
      ...members,
    };
    output.write(`${JSON.stringify(document)}\n`);
    return document;
  }

  // One line at a time: two reads against the same previous readings would count an interval twice
  // (the scheduled line and the last one at close can meet).
  let last: Promise<unknown> = Promise.resolve();

  return {
    start() {
      eventLoopDelay ??= monitorEventLoopDelay({ resolution: 10 });
      eventLoopDelay.enable();
    },
    emit() {
      const next = last.then(emitOnce);
      last = next.catch(() => {});
      return next;
    },
    stop() {
      eventLoopDelay?.disable();
    },
  };
}
