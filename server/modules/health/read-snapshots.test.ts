import { describe, expect, it } from 'vitest';
import { ReadSnapshots } from './read-snapshots.ts';

describe('ReadSnapshots', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => void (now += ms) };
  };

  it('keeps an answer while its inputs are unchanged, however old it is', () => {
    const time = clock();
    const snapshots = new ReadSnapshots<string>({ now: time.now });
    expect(snapshots.get('status', { coalesced: [1], windowMs: 1_000 }, () => 'v1')).toBe('v1');
    time.advance(60_000);
    expect(snapshots.get('status', { coalesced: [1], windowMs: 1_000 }, () => 'rebuilt')).toBe('v1');
    expect(snapshots.builds).toBe(1);
  });

  it('serves the kept answer after a coalesced input changed only within the window, and a rebuilt one after it', () => {
    const time = clock();
    const snapshots = new ReadSnapshots<string>({ now: time.now });
    snapshots.get('status', { coalesced: [1], windowMs: 1_000 }, () => 'v1');
    time.advance(999);
    expect(snapshots.get('status', { coalesced: [2], windowMs: 1_000 }, () => 'v2')).toBe('v1');
    time.advance(1);
    expect(snapshots.get('status', { coalesced: [3], windowMs: 1_000 }, () => 'v3')).toBe('v3');
    // The window starts again from the rebuild, which saw the state of then.
    time.advance(500);
    expect(snapshots.get('status', { coalesced: [4], windowMs: 1_000 }, () => 'v4')).toBe('v3');
  });

  it('rebuilds at once when an exact input changed, or when the window is 0', () => {
    const time = clock();
    const snapshots = new ReadSnapshots<string>({ now: time.now });
    snapshots.get('list', { exact: ['a'], coalesced: [1], windowMs: 1_000 }, () => 'a');
    expect(snapshots.get('list', { exact: ['b'], coalesced: [1], windowMs: 1_000 }, () => 'b')).toBe('b');
    snapshots.get('small', { coalesced: [1], windowMs: 0 }, () => 'small 1');
    expect(snapshots.get('small', { coalesced: [2], windowMs: 0 }, () => 'small 2')).toBe('small 2');
  });

  it('keeps each key apart and forgets the least recently read beyond its maximum', () => {
    const snapshots = new ReadSnapshots<string>({ max: 2 });
    snapshots.get('a', { coalesced: [1], windowMs: 0 }, () => 'a');
    snapshots.get('b', { coalesced: [1], windowMs: 0 }, () => 'b');
    snapshots.get('a', { coalesced: [1], windowMs: 0 }, () => 'a again');
    snapshots.get('c', { coalesced: [1], windowMs: 0 }, () => 'c');
    expect(snapshots.get('a', { coalesced: [1], windowMs: 0 }, () => 'a rebuilt')).toBe('a');
    expect(snapshots.get('b', { coalesced: [1], windowMs: 0 }, () => 'b rebuilt')).toBe('b rebuilt');
  });

  it('keeps nothing when the build throws', () => {
    const snapshots = new ReadSnapshots<string>();
    expect(() =>
      snapshots.get('bad', { coalesced: [1], windowMs: 1_000 }, () => {
        throw new Error('bad cursor');
      }),
    ).toThrow('bad cursor');
    expect(snapshots.get('bad', { coalesced: [1], windowMs: 1_000 }, () => 'built')).toBe('built');
  });
});
