/**
 * Sliding-window counts per key, behind one interface: in process memory here, shared through
 * Redis in redis-sliding-window.ts. Each detector asks a `SlidingWindows` factory for its window.
 */
import { LRUCache } from 'lru-cache';

export interface SlidingWindow {
  /**
   * Records `weight` hits (one by default; an aggregated audit record stands for many) for `key` at
   * `now` (epoch ms) and resolves with the hits in the window, these included, at most `maxHits`.
   */
  count(key: string, now: number, weight?: number): Promise<number>;
  /** Records `value` for `key` at `now` and resolves with the distinct values in the window, this one included. */
  distinct(key: string, value: string, now: number): Promise<number>;
}

export interface SlidingWindowOptions {
  windowMs: number;
  /** Hits (or distinct values) kept per key, so a flood cannot exhaust memory. */
  maxHits?: number;
}

/** Hands each detector its window; `name` (the detector's kind) keeps the detectors' keys apart. */
export type SlidingWindows = (name: string, options: SlidingWindowOptions) => SlidingWindow;

interface Hit {
  at: number;
  value: string;
}

/**
 * In memory and bounded: the least recently used keys are dropped past `maxKeys`, and each key
 * keeps at most `maxHits` hits. Counts only what this process observes.
 */
export class MemorySlidingWindow implements SlidingWindow {
  readonly #windowMs: number;
  readonly #maxHits: number;
  readonly #hits: LRUCache<string, Hit[]>;

  constructor({ windowMs, maxKeys = 10_000, maxHits = 1_000 }: SlidingWindowOptions & { maxKeys?: number }) {
    this.#windowMs = windowMs;
    this.#maxHits = maxHits;
    this.#hits = new LRUCache({ max: maxKeys });
  }

  #add(key: string, now: number, value: string, weight = 1): Hit[] {
    const since = now - this.#windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((hit) => hit.at > since);
    for (let i = Math.min(weight, this.#maxHits); i > 0; i--) hits.push({ at: now, value });
    if (hits.length > this.#maxHits) hits.splice(0, hits.length - this.#maxHits);
    this.#hits.set(key, hits);
    return hits;
  }

  async count(key: string, now: number, weight = 1): Promise<number> {
    return this.#add(key, now, '', weight).length;
  }

  async distinct(key: string, value: string, now: number): Promise<number> {
    return new Set(this.#add(key, now, value).map((hit) => hit.value)).size;
  }
}

/** Windows in process memory: the embedded default, where one instance sees all the traffic. */
export const memorySlidingWindows: SlidingWindows = (_name, options) => new MemorySlidingWindow(options);
