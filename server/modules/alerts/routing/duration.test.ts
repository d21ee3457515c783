import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationParseError, formatDuration, parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['1h30m', 5_400_000],
    ['1s500ms', 1500],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '1m1h', '1h1h', '-1s', '1.5h', '1 h', '5M'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationParseError);
  });
});

describe('formatDuration', () => {
  it('prints as Prometheus does', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(604_800_000)).toBe('1w');
    expect(formatDuration(8 * 86_400_000)).toBe('8d');
  });

  it('reads back what it prints', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 31_536_000_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});
