import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ScrapeTimeMetric } from '../../platform/metrics/index.ts';
import { expose, exposeToString, formatFamily, negotiateFormat } from './exposition.ts';

const sampleLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .sort();

describe('negotiateFormat', () => {
  it('picks OpenMetrics when Accept names it with a q above 0, else the text format', () => {
    expect(negotiateFormat(undefined)).toBe('text');
    expect(negotiateFormat('*/*')).toBe('text');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe('openmetrics');
    expect(negotiateFormat('Application/OpenMetrics-Text')).toBe('openmetrics');
    expect(negotiateFormat('application/openmetrics-text;q=0,text/plain')).toBe('text');
  });
});

describe('formatFamily', () => {
  it('names an OpenMetrics counter family without _total and its sample with it, and escapes label values and help', () => {
    const family = { name: 'jobs_total', help: 'Jobs "done"\nby kind', type: 'counter' as const, values: [{ labels: { kind: 'a"b\\c\nd' }, value: 3 }] };
    expect(formatFamily(family, 'text')).toBe('# HELP jobs_total Jobs "done"\\nby kind\n# TYPE jobs_total counter\njobs_total{kind="a\\"b\\\\c\\nd"} 3\n');
    expect(formatFamily(family, 'openmetrics')).toBe('# HELP jobs Jobs \\"done\\"\\nby kind\n# TYPE jobs counter\njobs_total{kind="a\\"b\\\\c\\nd"} 3\n');
  });

  it('writes NaN and infinities as Prometheus spells them', () => {
    const family = {
      name: 'g',
      help: 'h',
      type: 'gauge' as const,
      values: [{ value: NaN }, { value: Infinity, labels: { x: '1' } }, { value: -Infinity, labels: { x: '2' } }],
    };
    expect(formatFamily(family, 'text')).toContain('g NaN\ng{x="1"} +Inf\ng{x="2"} -Inf\n');
  });
});

describe('expose', () => {
  function registryWithEverything(): Registry {
    const registry = new Registry();
    new Counter({ name: 'a_total', help: 'a', labelNames: ['k'], registers: [registry] }).inc({ k: 'x' }, 2);
    new Gauge({ name: 'b', help: 'b', registers: [registry] }).set(1.5);
    new Histogram({ name: 'c_seconds', help: 'c', buckets: [0.1, 1], labelNames: ['route'], registers: [registry] }).observe({ route: '/x' }, 0.5);
    new ScrapeTimeMetric({ name: 'd', help: 'd', type: 'gauge', collect: () => [{ labels: { s: 'y' }, value: 7 }], registers: [registry] });
    return registry;
  }

  it('writes the same samples as prom-client’s own text exposition', async () => {
    const registry = registryWithEverything();
    expect(sampleLines(await exposeToString(registry, { format: 'text' }))).toEqual(sampleLines(await registry.metrics()));
  });

  it('leaves the registry as it was after OpenMetrics (prom-client renames counters in place)', async () => {
    const registry = registryWithEverything();
    const open = await exposeToString(registry, { format: 'openmetrics' });
    expect(open).toContain('# TYPE a counter\na_total{k="x"} 2\n');
    expect(open.endsWith('# EOF\n')).toBe(true);
    expect(await exposeToString(registry, { format: 'text' })).toContain('# TYPE a_total counter\n');
  });

  it('hands the work back in slices when it takes longer than sliceMs, and the chunks join into the whole', async () => {
    const registry = registryWithEverything();
    let clock = 0;
    const chunks: string[] = [];
    let timing: { seconds: number; longestSliceSeconds: number } | undefined;
    // Every read of the clock moves it 3 ms: a slice of 5 ms ends after every second family.
    for await (const chunk of expose(registry, { format: 'text', sliceMs: 5, now: () => (clock += 3) }, { onDone: (t) => (timing = t) })) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(await exposeToString(registry, { format: 'text' }));
    expect(timing!.longestSliceSeconds).toBeGreaterThan(0);
  });

  it('leaves out a family whose read fails and reports it', async () => {
    const registry = registryWithEverything();
    new ScrapeTimeMetric({ name: 'broken', help: 'x', type: 'gauge', collect: () => Promise.reject(new Error('away')), registers: [registry] });
    const failed: string[] = [];
    let text = '';
    for await (const chunk of expose(registry, { format: 'text' }, { onError: (name) => failed.push(name) })) text += chunk;
    expect(failed).toEqual(['broken']);
    expect(text).not.toContain('broken');
    expect(text).toContain('d{s="y"} 7');
  });
});
