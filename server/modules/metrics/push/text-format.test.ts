import fc from 'fast-check';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseGroupingKey } from './grouping-key.ts';
import { encodeProtobufDelimited, parseProtobufDelimited } from './protobuf-format.ts';
import { parseTextFormat } from './text-format.ts';

const refusal = (body: string) => {
  try {
    parseTextFormat(body);
  } catch (error) {
    return (error as Error).message;
  }
  return 'taken';
};

describe('the text format parser', () => {
  it('reads what prom-client writes: every type, help with escapes, labels with escapes, special values', async () => {
    const registry = new Registry();
    new Counter({ name: 'c_total', help: 'a counter\nover two lines \\ with a backslash', labelNames: ['path'], registers: [registry] }).inc(
      { path: 'a "quoted"\nvalue\\' },
      2,
    );
    new Gauge({ name: 'g', help: 'a gauge', registers: [registry] }).set(-Infinity);
    new Histogram({ name: 'h_seconds', help: 'a histogram', buckets: [0.1, 1], registers: [registry] }).observe(0.5);
    new Summary({ name: 's', help: 'a summary', percentiles: [0.5], registers: [registry] }).observe(3);
    const families = parseTextFormat(await registry.metrics());
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['c_total', 'counter'],
      ['g', 'gauge'],
      ['h_seconds', 'histogram'],
      ['s', 'summary'],
    ]);
    expect(families[0]).toMatchObject({
      help: 'a counter\nover two lines \\ with a backslash',
      samples: [{ name: 'c_total', labels: { path: 'a "quoted"\nvalue\\' }, value: 2 }],
    });
    expect(families[1]!.samples[0]!.value).toBe(-Infinity);
    expect(families[2]!.samples.map((s) => [s.name, s.labels['le'], s.value])).toEqual([
      ['h_seconds_bucket', '0.1', 0],
      ['h_seconds_bucket', '1', 1],
      ['h_seconds_bucket', '+Inf', 1],
      ['h_seconds_sum', undefined, 0.5],
      ['h_seconds_count', undefined, 1],
    ]);
    expect(families[3]!.samples.map((s) => s.name)).toEqual(['s', 's_sum', 's_count']);
  });

  it('reads back any gauge values and label values prom-client writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.string({ maxLength: 20 }), fc.double()), { minLength: 1, maxLength: 10 }), async (entries) => {
        const registry = new Registry();
        const gauge = new Gauge({ name: 'prop', help: 'property', labelNames: ['value'], registers: [registry] });
        const expected = new Map<string, number>();
        for (const [label, value] of entries) {
          gauge.set({ value: label }, value);
          expected.set(label, value === 0 ? 0 : value); // -0 is written as 0
        }
        const [family] = parseTextFormat(await registry.metrics());
        expect(new Map(family!.samples.map((s) => [s.labels['value']!, s.value]))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('takes untyped samples, comments, blank lines, CRLF and a trailing comma in the labels', () => {
    const families = parseTextFormat('# just a comment\r\n\r\nplain 1\r\nwith_labels{a="1",} 2\n');
    expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['plain', 'untyped', 1],
      ['with_labels', 'untyped', 1],
    ]);
  });

  it('refuses, with the line: a TYPE after the samples, a second TYPE or HELP, lines of a family apart, a stray series name, an unclosed quote, a bad escape, no value, junk after the value', () => {
    expect(refusal('x 1\n# TYPE x gauge\n')).toMatch(/^line 2: .*after its samples/);
    expect(refusal('# TYPE x gauge\n# TYPE x gauge\n')).toMatch(/^line 2: a second # TYPE/);
    expect(refusal('# HELP x a\n# HELP x b\n')).toMatch(/^line 2: a second # HELP/);
    expect(refusal('# TYPE x gauge\nx 1\ny 1\nx{a="b"} 2\n')).toMatch(/^line 4: the lines of x are not together/);
    expect(refusal('# TYPE h histogram\nh 1\n')).toMatch(/^line 2: h is not a series of histogram h/);
    expect(refusal('x{a="b} 1\n')).toMatch(/^line 1: .*no closing quote/);
    expect(refusal('x{a="\\t"} 1\n')).toMatch(/^line 1: unknown escape/);
    expect(refusal('x{a="b"}\n')).toMatch(/^line 1: x has no value/);
    expect(refusal('x 1 2 3\n')).toMatch(/^line 1: unexpected/);
    expect(refusal('x one\n')).toMatch(/^line 1: "one" is not a sample value/);
    expect(refusal('x{a="1",a="2"} 1\n')).toMatch(/^line 1: label a appears twice/);
    expect(refusal('# TYPE c counter\nc -1\n')).toMatch(/^line 2: counter c has a negative value/);
  });
});

describe('the grouping key', () => {
  it('reads job and label pairs, URL-decoded, and base64 values (URL-safe, padded or not; "=" is empty)', () => {
    expect(parseGroupingKey('job/nightly/instance/host%201')).toEqual({ job: 'nightly', instance: 'host 1' });
    expect(parseGroupingKey(`job@base64/${Buffer.from('a/b').toString('base64url')}/empty@base64/=`)).toEqual({ job: 'a/b', empty: '' });
    expect(parseGroupingKey('job/x/')).toEqual({ job: 'x' });
  });

  it('refuses a path without job first, an odd segment, a label twice, an empty job', () => {
    expect(() => parseGroupingKey('instance/x')).toThrow(/must start with job/);
    expect(() => parseGroupingKey('job/x/instance')).toThrow(/pairs/);
    expect(() => parseGroupingKey('job/x/a/1/a/2')).toThrow(/twice/);
    expect(() => parseGroupingKey('job/')).toThrow();
    expect(() => parseGroupingKey('job@hex/00')).toThrow(/unknown value encoding/);
  });
});

describe('the delimited protobuf format', () => {
  it('reads summaries and histograms as their series, adding the +Inf bucket the clients leave out', () => {
    const families = parseProtobufDelimited(
      encodeProtobufDelimited([
        { name: 'sum', type: 'SUMMARY', metric: [{ summary: { sample_count: 2, sample_sum: 3, quantile: [{ quantile: 0.5, value: 1 }] } }] },
        {
          name: 'hist',
          type: 'HISTOGRAM',
          metric: [{ label: [{ name: 'a', value: 'b' }], histogram: { sample_count: 5, sample_sum: 9, bucket: [{ cumulative_count: 2, upper_bound: 1 }] } }],
        },
      ]),
    );
    expect(families[0]!.samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ['sum', { quantile: '0.5' }, 1],
      ['sum_sum', {}, 3],
      ['sum_count', {}, 2],
    ]);
    expect(families[1]!.samples.map((s) => [s.name, s.labels['le'], s.value])).toEqual([
      ['hist_bucket', '1', 2],
      ['hist_bucket', '+Inf', 5],
      ['hist_sum', undefined, 9],
      ['hist_count', undefined, 5],
    ]);
  });

  it('refuses bytes that are not delimited MetricFamily messages, a timestamp, and a family twice', () => {
    expect(() => parseProtobufDelimited(new Uint8Array([0xff, 0xff, 0xff]))).toThrow(/not a sequence of length-delimited MetricFamily/);
    expect(() => parseProtobufDelimited(encodeProtobufDelimited([{ name: 'g', type: 'GAUGE', metric: [{ gauge: { value: 1 }, timestamp_ms: 5 }] }]))).toThrow(
      /timestamp/,
    );
    const twice = encodeProtobufDelimited([
      { name: 'g', type: 'GAUGE', metric: [{ gauge: { value: 1 } }] },
      { name: 'g', type: 'GAUGE', metric: [{ gauge: { value: 2 } }] },
    ]);
    expect(() => parseProtobufDelimited(twice)).toThrow(/appears twice/);
  });
});
