import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, parseDuration } from './durations.ts';

describe('Prometheus durations', () => {
  it('reads every unit, combined largest first', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1y2w3d')).toBe((365 + 14 + 3) * 86_400_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('0s')).toBe(0);
  });

  it('refuses what Prometheus refuses: no unit, units out of order or repeated, signs, fractions, blanks', () => {
    for (const bad of ['', '5', '30m1h', '1m1m', '-5m', '1.5h', ' 5m', '5 m', '5M', 'h']) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('formats the shortest text that parses back to the same milliseconds', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_061_001)).toBe('1d1h1m1s1ms');
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 13 }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});
