import { describe, expect, it } from 'vitest';
import { changeWeight, emptyFlapState, percentStateChange, recordResult, type FlapState } from './flap-detection.ts';

/** 21 results, oldest first, with changes (between result i-1 and i) at the given positions 1–20. */
const withChangesAt = (...positions: number[]) => {
  const results: string[] = ['OK'];
  for (let i = 1; i <= 20; i++) results.push(positions.includes(i) ? (results[i - 1] === 'OK' ? 'CRITICAL' : 'OK') : results[i - 1]!);
  return results;
};
const feed = (results: string[], state: FlapState<string> = emptyFlapState(), thresholds = { high: 50, low: 25 }) =>
  results.reduce<FlapState<string> & { changed?: boolean }>((s, r) => recordResult(s, r, thresholds), state);

describe('flap detection', () => {
  it('weighs the oldest change 0.8 and the newest 1.2, linearly between', () => {
    expect(changeWeight(1)).toBeCloseTo(0.8);
    expect(changeWeight(20)).toBeCloseTo(1.2);
    expect(changeWeight(11) - changeWeight(10)).toBeCloseTo(0.4 / 19);
  });

  it('finds 35% state change in Nagios’s example of 7 changes over the last 21 checks, before weighting', () => {
    const results = withChangesAt(2, 5, 8, 11, 13, 16, 19);
    expect(percentStateChange(results, { weighted: false })).toBeCloseTo(35);
  });

  it('weighs recent changes more: the same 7 changes count more when newest than when oldest', () => {
    expect(percentStateChange(withChangesAt(14, 15, 16, 17, 18, 19, 20))).toBeCloseTo(((7 * 0.8 + (0.4 / 19) * 112) / 20) * 100);
    expect(percentStateChange(withChangesAt(1, 2, 3, 4, 5, 6, 7))).toBeCloseTo(((7 * 0.8 + (0.4 / 19) * 21) / 20) * 100);
    expect(percentStateChange(withChangesAt(14, 15, 16, 17, 18, 19, 20))).toBeGreaterThan(35);
    expect(percentStateChange(withChangesAt(1, 2, 3, 4, 5, 6, 7))).toBeLessThan(35);
  });

  it('counts every result changing as 100% and none as 0%', () => {
    expect(percentStateChange(withChangesAt(...Array.from({ length: 20 }, (_, i) => i + 1)))).toBeCloseTo(100);
    expect(percentStateChange(Array(21).fill('OK'))).toBe(0);
  });

  it('looks at the last 21 results only', () => {
    expect(percentStateChange(['CRITICAL', ...Array(21).fill('OK')])).toBe(0);
  });

  it('starts flapping above the high threshold, as in Nagios’s example with thresholds 20% and 30%', () => {
    const state = feed(withChangesAt(2, 5, 8, 11, 13, 16, 19), emptyFlapState(), { high: 30, low: 20 });
    expect(state.percent).toBeGreaterThan(30);
    expect(state.flapping).toBe(true);
  });

  it('stops flapping only below the low threshold (hysteresis)', () => {
    const alternating = Array.from({ length: 21 }, (_, i) => (i % 2 ? 'OK' : 'CRITICAL'));
    let state = feed(alternating);
    expect(state).toMatchObject({ flapping: true });
    // Settling: the percent falls through the band between 25% and 50% and the series still flaps.
    const band: number[] = [];
    while (state.percent >= 25) {
      state = recordResult(state, 'OK');
      if (state.percent < 50 && state.percent >= 25) {
        band.push(state.percent);
        expect(state.flapping).toBe(true);
      }
    }
    expect(band.length).toBeGreaterThan(0);
    expect(state).toMatchObject({ flapping: false, changed: true });
  });

  it('does not start flapping in the band between the thresholds', () => {
    const state = feed(withChangesAt(4, 8, 12, 16, 18, 19, 20, 15));
    expect(state.percent).toBeGreaterThan(25);
    expect(state.percent).toBeLessThan(50);
    expect(state.flapping).toBe(false);
  });

  it('says when flapping starts and stops, and only then', () => {
    let state: FlapState<string> & { changed?: boolean } = emptyFlapState();
    const changes: boolean[] = [];
    for (let i = 0; i < 60; i++) {
      state = recordResult(state, i < 30 && i % 2 ? 'CRITICAL' : 'OK');
      if (state.changed) changes.push(state.flapping);
    }
    expect(changes).toEqual([true, false]);
  });
});
