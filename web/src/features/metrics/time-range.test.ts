import { describe, expect, it } from 'vitest';
import { describeRange, parseTimeRange, rangeKey, refreshIntervalMs, resolveRange, stepSecondsFor } from './time-range.ts';

const parse = (query: string) => parseTimeRange(new URLSearchParams(query));

describe('parseTimeRange', () => {
  it('is the last hour when the URL says nothing', () => {
    expect(parse('')).toEqual({ range: { kind: 'preset', preset: expect.objectContaining({ key: '1h' }) } });
  });

  it('reads a preset', () => {
    const { range } = parse('range=7d');
    expect(range.kind === 'preset' && range.preset.seconds).toBe(7 * 86_400);
    expect(describeRange(range)).toBe('the last 7 days');
    expect(rangeKey(range)).toBe('range=7d');
  });

  it('reads a fixed range in UTC, to the minute', () => {
    const { range, problem } = parse('from=2026-12-04T10:00&to=2026-12-04T12:30');
    expect(problem).toBeUndefined();
    expect(range).toEqual({ kind: 'custom', from: Date.UTC(2026, 11, 4, 10), to: Date.UTC(2026, 11, 4, 12, 30) });
    expect(describeRange(range)).toBe('2026-12-04 10:00 to 2026-12-04 12:30 UTC');
    expect(rangeKey(range)).toBe('from=2026-12-04T10%3A00&to=2026-12-04T12%3A30');
  });

  it('falls back to the last hour, saying why, for a range it cannot use', () => {
    expect(parse('range=2y').problem).toMatch(/no range “2y”/);
    expect(parse('from=2026-12-04T12:00&to=2026-12-04T10:00').problem).toMatch(/start before it ends/);
    expect(parse('from=yesterday&to=2026-12-04T10:00').problem).toMatch(/valid start and end/);
    expect(parse('from=2026-12-04T10:00').problem).toMatch(/valid start and end/);
    expect(parse('from=2020-01-01T00:00&to=2026-01-01T00:00').problem).toMatch(/400 days/);
    expect(parse('range=2y').range).toEqual(parse('').range);
  });
});

describe('resolveRange', () => {
  it('ends a preset now and keeps a fixed range fixed', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    expect(resolveRange(parse('range=15m').range, now)).toEqual({ from: now - 900_000, to: now });
    expect(resolveRange(parse('from=2026-01-01T00:00&to=2026-01-01T01:00').range, now)).toEqual({ from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 1, 1) });
  });
});

describe('refreshIntervalMs', () => {
  it('refreshes short ranges every 15 s, longer ones less often, a fixed range never', () => {
    expect(refreshIntervalMs(parse('range=15m').range)).toBe(15_000);
    expect(refreshIntervalMs(parse('range=1h').range)).toBe(15_000);
    expect(refreshIntervalMs(parse('range=24h').range)).toBe(60_000);
    expect(refreshIntervalMs(parse('range=30d').range)).toBe(300_000);
    expect(refreshIntervalMs(parse('from=2026-01-01T00:00&to=2026-01-01T01:00').range)).toBe(false);
  });
});

describe('stepSecondsFor', () => {
  it('asks for about 240 points, never a step finer than the 15 s sampling', () => {
    expect(stepSecondsFor({ from: 0, to: 900_000 })).toBe(15);
    expect(stepSecondsFor({ from: 0, to: 86_400_000 })).toBe(360);
    expect(stepSecondsFor({ from: 0, to: 30 * 86_400_000 })).toBe(10_800);
  });
});
