/**
 * Sliding-window counts per key, in memory and bounded: the least recently used keys are dropped
 * past `maxKeys`, and each key keeps at most `maxHits` hits, so a flood cannot exhaust memory.
 */
import { LRUCache } from 'lru-cache';

interface Hit {
  at: number;
  value: string;
}

export class SlidingWindow {
  readonly #windowMs: number;
  readonly #maxHits: number;
  readonly #hits: LRUCache<string, Hit[]>;

  constructor({ windowMs, maxKeys = 10_000, maxHits = 1_000 }: { windowMs: number; maxKeys?: number; maxHits?: number }) {
    this.#windowMs = windowMs;
    this.#maxHits = maxHits;
    this.#hits = new LRUCache({ max: maxKeys });
  }

  /** Records a hit for `key` (optionally carrying a value) and returns the hits still in the window. */
  #add(key: string, now: number, value: string): Hit[] {
    const since = now - this.#windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((hit) => hit.at > since);
    hits.push({ at: now, value });
    if (hits.length > this.#maxHits) hits.splice(0, hits.length - this.#maxHits);
    this.#hits.set(key, hits);
    return hits;
  }

  /** Hits for `key` within the window, this one included. */
  count(key: string, now: number): number {
    return this.#add(key, now, '').length;
  }

  /** Distinct values seen for `key` within the window, this one included. */
  distinct(key: string, value: string, now: number): number {
    return new Set(this.#add(key, now, value).map((hit) => hit.value)).size;
  }
}
