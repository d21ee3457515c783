import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './sliding-window.ts';

describe('sliding window', () => {
  it('counts hits per key within the window only', () => {
    const window = new SlidingWindow({ windowMs: 100 });
    expect(window.count('a', 0)).toBe(1);
    expect(window.count('a', 50)).toBe(2);
    expect(window.count('b', 50)).toBe(1);
    expect(window.count('a', 120)).toBe(2);
  });

  it('keeps at most maxHits per key, so a flood is bounded', () => {
    const window = new SlidingWindow({ windowMs: 1_000, maxHits: 3 });
    for (let i = 0; i < 10; i++) window.count('a', i);
    expect(window.count('a', 11)).toBe(3);
  });

  it('counts distinct values per key', () => {
    const window = new SlidingWindow({ windowMs: 1_000 });
    window.distinct('ip', 'x', 0);
    window.distinct('ip', 'x', 1);
    expect(window.distinct('ip', 'y', 2)).toBe(2);
  });
});
