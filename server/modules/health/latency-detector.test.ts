import { describe, expect, it } from 'vitest';
import { LatencyDetector, percentile } from './latency-detector.ts';

function feed(detector: LatencyDetector, latencyMs: number, times: number): Array<string | undefined> {
  const verdicts: Array<string | undefined> = [];
  for (let i = 0; i < times; i++) {
    detector.add(latencyMs);
    verdicts.push(detector.assess());
  }
  return verdicts;
}

describe('percentile', () => {
  it('picks the nearest-rank value', () => {
    expect(percentile([], 95)).toBe(0);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 95)).toBe(10);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
  });
});

describe('LatencyDetector', () => {
  it('does not judge before it has a baseline', () => {
    const detector = new LatencyDetector({ factor: 3, minBaseline: 20, recentSize: 10 });
    feed(detector, 2, 15);
    expect(feed(detector, 200, 10)).toEqual(Array(10).fill(undefined));
  });

  it('warns when the recent p95 is sustained above factor × its own baseline, saying so', () => {
    const detector = new LatencyDetector({ factor: 3 });
    expect(feed(detector, 10, 40).every((v) => v === undefined)).toBe(true);
    const verdicts = feed(detector, 50, 10);
    expect(verdicts.at(-1)).toBe('latency degraded: p95 50.0 ms over the last 10 checks is 5.0× the baseline p95 of 10.0 ms');
  });

  it('needs most of the recent window to be slow: a single spike is not a degradation', () => {
    const detector = new LatencyDetector({ factor: 3 });
    feed(detector, 10, 40);
    expect(feed(detector, 500, 1)).toEqual([undefined]);
    expect(feed(detector, 10, 10).every((v) => v === undefined)).toBe(true);
    // Four slow checks out of ten are still not sustained; the fifth makes it so.
    expect(feed(detector, 100, 4).every((v) => v === undefined)).toBe(true);
    expect(feed(detector, 100, 1)[0]).toMatch(/^latency degraded/);
  });

  it('ignores slowdowns below the noise floor whatever their ratio', () => {
    const detector = new LatencyDetector({ factor: 3, floorMs: 5 });
    feed(detector, 0.2, 40);
    expect(feed(detector, 3, 20).every((v) => v === undefined)).toBe(true);
  });

  it('does not warn when latency stays within the factor', () => {
    const detector = new LatencyDetector({ factor: 3 });
    feed(detector, 10, 40);
    expect(feed(detector, 29, 30).every((v) => v === undefined)).toBe(true);
  });

  it('keeps warning while a slowdown lasts, however long the history behind it', () => {
    for (const history of [30, 50, 110]) {
      const detector = new LatencyDetector({ factor: 3 });
      feed(detector, 10, history);
      const verdicts = feed(detector, 80, 90);
      // From the point the recent window is mostly slow, every check warns.
      expect(
        verdicts.slice(4).every((v) => v?.startsWith('latency degraded')),
        `after ${history} normal checks`,
      ).toBe(true);
    }
  });

  it('accepts a new normal once the slowdown has outlasted a whole baseline window', () => {
    const detector = new LatencyDetector({ factor: 3, baselineSize: 30, minBaseline: 20 });
    feed(detector, 10, 40);
    const verdicts = feed(detector, 80, 60);
    expect(verdicts[20]).toMatch(/^latency degraded/);
    expect(verdicts.at(-1)).toBeUndefined();
  });

  it('clears once latency is back to normal', () => {
    const detector = new LatencyDetector({ factor: 3 });
    feed(detector, 10, 40);
    expect(feed(detector, 80, 15).at(-1)).toMatch(/^latency degraded/);
    const verdicts = feed(detector, 10, 10);
    expect(verdicts.at(-1)).toBeUndefined();
    // The slow samples did not become the reference: a new slowdown is still caught.
    expect(feed(detector, 40, 10).at(-1)).toMatch(/^latency degraded: p95 40\.0 ms .* baseline p95 of 10\.0 ms$/);
  });

  it('tells its baseline: none until a check leaves the recent window, then its p95 and the slow threshold', () => {
    const detector = new LatencyDetector({ factor: 3, recentSize: 10, minBaseline: 20, floorMs: 5 });
    feed(detector, 10, 10);
    expect(detector.baseline()).toBeUndefined();
    feed(detector, 10, 5);
    expect(detector.baseline()).toEqual({ p95Ms: 10, thresholdMs: 30, samples: 5, judging: false });
    feed(detector, 1, 20);
    expect(detector.baseline()).toEqual({ p95Ms: 10, thresholdMs: 30, samples: 25, judging: true });
    // For small latencies the noise floor wins over the factor: 10 ms × 1.2 is below 10 ms + 5 ms.
    const gentle = new LatencyDetector({ factor: 1.2, recentSize: 10, floorMs: 5 });
    feed(gentle, 10, 11);
    expect(gentle.baseline()).toMatchObject({ p95Ms: 10, thresholdMs: 15 });
  });
});
