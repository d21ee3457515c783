import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { emfDocumentSchema, type EmfDocument } from '../../../contracts/cloudwatch-emf.ts';
import { buildTestApp, type TestApp } from '../../../test/helpers.ts';
import { HTTP_DURATION_METRIC, ScrapeTimeMetric, type Sample } from '../../platform/metrics/index.ts';
import { createCloudWatchEmf } from './cloudwatch-emf.ts';
import { histogramQuantile } from './http-histogram.ts';

/** Parses every line as CloudWatch would and checks it against the specification. */
function parseLines(text: string): EmfDocument[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      // A single write under PIPE_BUF cannot be interleaved with the logger's lines on a pipe.
      expect(Buffer.byteLength(line)).toBeLessThan(4096);
      const result = emfDocumentSchema.safeParse(JSON.parse(line));
      expect(result.error?.issues ?? []).toEqual([]);
      return JSON.parse(line) as EmfDocument;
    });
}

const metricNames = (document: EmfDocument) => document._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics.map((metric) => metric.Name));

const valid = () => ({
  _aws: {
    Timestamp: 1_764_000_000_000,
    CloudWatchMetrics: [{ Namespace: 'Watchkeeper', Dimensions: [['Service']], Metrics: [{ Name: 'RequestCount', Unit: 'Count' }] }],
  },
  Service: 'watchkeeper',
  RequestCount: 3,
});

describe('the EMF specification schema', () => {
  it('accepts a document whose directives name root members of the right types', () => {
    expect(emfDocumentSchema.safeParse(valid()).success).toBe(true);
    const multiple = { ...valid(), RequestCount: [1, 2, 3], Other: 'members are allowed at the root' };
    expect(emfDocumentSchema.safeParse(multiple).success).toBe(true);
  });

  it.each([
    ['a metric missing from the root', (d: Record<string, unknown>) => delete d.RequestCount, /metric "RequestCount" is not a member/],
    ['a metric that is a string', (d: Record<string, unknown>) => (d.RequestCount = '3'), /metric "RequestCount"/],
    ['a metric of more than 100 values', (d: Record<string, unknown>) => (d.RequestCount = Array.from({ length: 101 }, () => 1)), /metric "RequestCount"/],
    ['a dimension missing from the root', (d: Record<string, unknown>) => delete d.Service, /dimension "Service" is not a string member/],
    ['a dimension that is a number', (d: Record<string, unknown>) => (d.Service = 1), /dimension "Service"/],
    [
      'a unit CloudWatch does not know',
      (d: ReturnType<typeof valid>) => ((d._aws.CloudWatchMetrics[0]!.Metrics[0] as { Unit: string }).Unit = 'Requests'),
      /Unit/,
    ],
    [
      'a storage resolution other than 1 or 60',
      (d: ReturnType<typeof valid>) => Object.assign(d._aws.CloudWatchMetrics[0]!.Metrics[0]!, { StorageResolution: 30 }),
      /StorageResolution/,
    ],
    ['an empty namespace', (d: ReturnType<typeof valid>) => (d._aws.CloudWatchMetrics[0]!.Namespace = ''), /Namespace/],
    ['a timestamp as a string', (d: ReturnType<typeof valid>) => Object.assign(d._aws, { Timestamp: '2026-12-04T13:00:00Z' }), /Timestamp/],
    ['no timestamp', (d: ReturnType<typeof valid>) => delete (d._aws as Partial<typeof d._aws>).Timestamp, /Timestamp/],
    [
      'a dimension set of 31 names',
      (d: ReturnType<typeof valid>) => (d._aws.CloudWatchMetrics[0]!.Dimensions = [Array.from({ length: 31 }, (_, i) => `D${i}`)]),
      /Dimensions/,
    ],
    [
      'more than 100 metrics in a directive',
      (d: ReturnType<typeof valid>) => (d._aws.CloudWatchMetrics[0]!.Metrics = Array.from({ length: 101 }, () => ({ Name: 'RequestCount', Unit: 'Count' }))),
      /Metrics/,
    ],
    [
      'a member the specification does not define in a directive',
      (d: ReturnType<typeof valid>) => Object.assign(d._aws.CloudWatchMetrics[0]!, { Extra: 1 }),
      /Extra/,
    ],
  ] as Array<[string, (d: never) => unknown, RegExp]>)('rejects %s', (_what, breakIt, complaint) => {
    const document = valid();
    breakIt(document as never);
    const result = emfDocumentSchema.safeParse(document);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n')).toMatch(complaint);
  });
});

describe('histogramQuantile', () => {
  const buckets = (entries: Array<[number, number]>) => new Map(entries);

  it('interpolates inside the bucket the rank falls in, as Prometheus does', () => {
    // 100 observations: 50 up to 0.1 s, 40 more up to 0.5 s, 10 more up to 1 s.
    const histogram = buckets([
      [0.1, 50],
      [0.5, 90],
      [1, 100],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(0.5, histogram)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.25, histogram)).toBeCloseTo(0.05);
    expect(histogramQuantile(0.99, histogram)).toBeCloseTo(0.95);
  });

  it('answers the highest finite bound for a rank beyond it, and nothing without observations', () => {
    expect(
      histogramQuantile(
        0.99,
        buckets([
          [10, 1],
          [Infinity, 100],
        ]),
      ),
    ).toBe(10);
    expect(
      histogramQuantile(
        0.5,
        buckets([
          [10, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeUndefined();
    expect(histogramQuantile(0.5, new Map())).toBeUndefined();
  });
});

/** A registry holding only an HTTP duration histogram and cache counters whose values a test sets. */
function fakeRegistry() {
  const registry = new Registry();
  const state = { requests2xx: 0, requests5xx: 0, fastRequests: 0, hits: 0, misses: 0, cacheUp: true, failCircuit: false };
  new ScrapeTimeMetric({
    name: HTTP_DURATION_METRIC,
    help: 'h',
    type: 'histogram',
    collect: () => {
      const samples: Sample[] = [];
      const series = (status_class: string, count: number, fast: number) => {
        const labels = { method: 'GET', route: '/x', status_class };
        samples.push({ metricName: `${HTTP_DURATION_METRIC}_bucket`, labels: { ...labels, le: 0.01 }, value: fast });
        samples.push({ metricName: `${HTTP_DURATION_METRIC}_bucket`, labels: { ...labels, le: 1 }, value: count });
        samples.push({ metricName: `${HTTP_DURATION_METRIC}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
        samples.push({ metricName: `${HTTP_DURATION_METRIC}_count`, labels, value: count });
      };
      series('2xx', state.requests2xx, state.fastRequests);
      series('5xx', state.requests5xx, 0);
      return samples;
    },
    registers: [registry],
  });
  const cacheFamily = (name: string, pick: () => number) =>
    new ScrapeTimeMetric({
      name,
      help: 'h',
      type: 'counter',
      collect: () => (state.cacheUp ? [{ labels: { kind: 'memory' }, value: pick() }] : []),
      registers: [registry],
    });
  cacheFamily('watchkeeper_cache_hits_total', () => state.hits);
  cacheFamily('watchkeeper_cache_misses_total', () => state.misses);
  new ScrapeTimeMetric({
    name: 'watchkeeper_database_circuit_state',
    help: 'h',
    type: 'gauge',
    collect: () => {
      if (state.failCircuit) throw new Error('pool gone');
      return [{ labels: { state: 'open' }, value: 0 }];
    },
    registers: [registry],
  });
  return { registry, state };
}

function bufferOutput() {
  let text = '';
  return {
    output: { write: (line: string) => (text += line) },
    take: () => {
      const taken = parseLines(text);
      text = '';
      return taken;
    },
  };
}

describe('createCloudWatchEmf', () => {
  it('writes one document a line in its namespace, with the dimensions and properties as root members', async () => {
    const { registry } = fakeRegistry();
    const { output, take } = bufferOutput();
    const emf = createCloudWatchEmf({
      registry,
      output,
      namespace: 'Ops/Watchkeeper',
      dimensions: { Service: 'wk-prod' },
      properties: { Instance: 'ip-10-0-0-1' },
      now: () => 1_764_000_000_123.4,
    });
    await emf.emit();
    await emf.emit();
    const [line] = take().slice(1);
    expect(line!._aws).toMatchObject({ Timestamp: 1_764_000_000_123, CloudWatchMetrics: [{ Namespace: 'Ops/Watchkeeper', Dimensions: [['Service']] }] });
    expect(line).toMatchObject({ Service: 'wk-prod', Instance: 'ip-10-0-0-1' });
  });

  it('counts the requests and 5xx answers since the previous line, with their latency percentiles in milliseconds', async () => {
    const { registry, state } = fakeRegistry();
    const { output, take } = bufferOutput();
    const emf = createCloudWatchEmf({ registry, output });
    Object.assign(state, { requests2xx: 10, requests5xx: 2, fastRequests: 10 });
    await emf.emit();
    Object.assign(state, { requests2xx: 110, requests5xx: 3, fastRequests: 10 });
    await emf.emit();
    const [first, second] = take();
    // The first line counts from boot.
    expect(first).toMatchObject({ RequestCount: 12, ServerErrorCount: 2 });
    // Since then: 100 requests of 2xx (all between 10 ms and 1 s) and one 5xx (same).
    expect(second).toMatchObject({ RequestCount: 101, ServerErrorCount: 1 });
    expect(second!.RequestLatencyP50).toBeCloseTo(10 + (1000 - 10) * 0.5);
    expect(second!.RequestLatencyP99).toBeCloseTo(10 + (1000 - 10) * 0.99);
    expect(second!._aws.CloudWatchMetrics[0]!.Metrics).toContainEqual({ Name: 'RequestLatencyP99', Unit: 'Milliseconds' });
  });

  it('writes a line without requests with counts of 0 and no latency, rather than a made-up one', async () => {
    const { registry, state } = fakeRegistry();
    const { output, take } = bufferOutput();
    const emf = createCloudWatchEmf({ registry, output });
    Object.assign(state, { requests2xx: 5 });
    await emf.emit();
    await emf.emit();
    const second = take()[1]!;
    expect(second).toMatchObject({ RequestCount: 0, ServerErrorCount: 0 });
    expect(metricNames(second)).not.toContain('RequestLatencyP50');
    expect(second).not.toHaveProperty('RequestLatencyP50');
  });

  it('gives the cache hit ratio over the interval, and leaves it out while the cache does not answer', async () => {
    const { registry, state } = fakeRegistry();
    const { output, take } = bufferOutput();
    const emf = createCloudWatchEmf({ registry, output });
    Object.assign(state, { hits: 100, misses: 100 });
    await emf.emit();
    Object.assign(state, { hits: 130, misses: 110 });
    await emf.emit();
    state.cacheUp = false;
    await emf.emit();
    Object.assign(state, { cacheUp: true, hits: 139, misses: 111 });
    await emf.emit();
    const [first, second, down, back] = take();
    expect(first!.CacheHitRatio).toBe(50);
    expect(second!.CacheHitRatio).toBe(75);
    expect(metricNames(down!)).not.toContain('CacheHitRatio');
    // Counted from the last reading the cache gave, not from 0.
    expect(back!.CacheHitRatio).toBe(90);
  });

  it('leaves out the metrics of a family whose read fails, and says which', async () => {
    const { registry, state } = fakeRegistry();
    const { output, take } = bufferOutput();
    const onError = vi.fn();
    const emf = createCloudWatchEmf({ registry, output, onError });
    await emf.emit();
    state.failCircuit = true;
    await emf.emit();
    const [healthy, failing] = take();
    expect(healthy!.DatabaseCircuitOpen).toBe(0);
    expect(metricNames(failing!)).not.toContain('DatabaseCircuitOpen');
    expect(onError).toHaveBeenCalledWith('watchkeeper_database_circuit_state', expect.any(Error));
  });

  it('measures the event-loop delay of each interval while started', async () => {
    const { registry } = fakeRegistry();
    const { output, take } = bufferOutput();
    const emf = createCloudWatchEmf({ registry, output });
    emf.start();
    try {
      // The monitor's timer takes its first samples, then the loop is held for 120 ms.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const until = Date.now() + 120;
      while (Date.now() < until); // blocks the event loop
      await new Promise((resolve) => setTimeout(resolve, 50));
      await emf.emit();
    } finally {
      emf.stop();
    }
    expect(take()[0]!.EventLoopDelayP99).toBeGreaterThanOrEqual(50);
  });
});

describe('METRICS_CLOUDWATCH_EMF in the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      env: { METRICS_CLOUDWATCH_EMF: 'true', METRICS_CLOUDWATCH_EMF_INTERVAL_SECONDS: '3600', METRICS_CLOUDWATCH_EMF_NAMESPACE: 'Watchkeeper/Test' },
    });
  });
  afterAll(() => t?.close());

  /** What the app writes to stdout while `during` runs, as EMF documents. */
  async function emfOnStdout(during: () => Promise<unknown>): Promise<EmfDocument[]> {
    let text = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      text += String(chunk);
      return true;
    });
    try {
      await during();
    } finally {
      write.mockRestore();
    }
    return text ? parseLines(text) : [];
  }

  it('writes the key metrics of the real registry to stdout: the requests and 5xx answers since the last line', async () => {
    await emfOnStdout(() => t.app.scheduler.runNow('cloudwatch-emf'));
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: '/health/liveness' })).statusCode).toBe(200);
    t.app.lifecycle.draining = true;
    try {
      expect((await t.app.inject({ url: '/health/readiness' })).statusCode).toBe(503);
    } finally {
      t.app.lifecycle.draining = false;
    }
    const [line, ...more] = await emfOnStdout(() => t.app.scheduler.runNow('cloudwatch-emf'));
    expect(more).toEqual([]);
    expect(line).toMatchObject({ RequestCount: 4, ServerErrorCount: 1, Service: 'watchkeeper', Instance: expect.any(String) });
    expect(line!._aws.CloudWatchMetrics[0]!.Namespace).toBe('Watchkeeper/Test');
    expect(metricNames(line!)).toEqual(
      expect.arrayContaining([
        'RequestLatencyP50',
        'RequestLatencyP99',
        'HeapUsed',
        'DatabasePoolConnections',
        'DatabasePoolWaiting',
        'DatabaseCircuitOpen',
        'HealthComponentsFailing',
        'HealthComponentsDegraded',
      ]),
    );
    if (process.platform === 'linux') expect(line!.ResidentMemory).toBeGreaterThan(0);
    expect(line).toMatchObject({ DatabaseCircuitOpen: 0, DatabasePoolWaiting: 0 });
  });

  it('writes the last partial interval when the app closes', async () => {
    await t.app.inject({ url: '/health/liveness' });
    const lines = await emfOnStdout(() => t.close());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ RequestCount: 1, ServerErrorCount: 0 });
  });
});

describe('METRICS_CLOUDWATCH_EMF off (the default)', () => {
  it('schedules nothing', async () => {
    const t = await buildTestApp();
    try {
      await expect(t.app.scheduler.runNow('cloudwatch-emf')).rejects.toThrow('no job named cloudwatch-emf');
    } finally {
      await t.close();
    }
  });
});
