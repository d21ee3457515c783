import { describe, expect, it } from 'vitest';
import { MemorySlidingWindow } from './sliding-window.ts';

describe('in-process sliding window', () => {
  it('counts hits per key within the window only', async () => {
    const window = new MemorySlidingWindow({ windowMs: 100 });
    expect(await window.count('a', 0)).toBe(1);
    expect(await window.count('a', 50)).toBe(2);
    expect(await window.count('b', 50)).toBe(1);
    expect(await window.count('a', 120)).toBe(2);
  });

  it('keeps at most maxHits per key, so a flood is bounded', async () => {
    const window = new MemorySlidingWindow({ windowMs: 1_000, maxHits: 3 });
    for (let i = 0; i < 10; i++) await window.count('a', i);
    expect(await window.count('a', 11)).toBe(3);
  });

  it('counts a weighted hit (an aggregated audit record) as that many, capped at maxHits', async () => {
    const window = new MemorySlidingWindow({ windowMs: 1_000, maxHits: 50 });
    expect(await window.count('a', 0)).toBe(1);
    expect(await window.count('a', 1, 9)).toBe(10);
    expect(await window.count('a', 2, 1_000)).toBe(50);
  });

  it('counts distinct values per key', async () => {
    const window = new MemorySlidingWindow({ windowMs: 1_000 });
    await window.distinct('ip', 'x', 0);
    await window.distinct('ip', 'x', 1);
    expect(await window.distinct('ip', 'y', 2)).toBe(2);
  });
});
