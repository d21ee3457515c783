/**
 * Whole answers of the large reads (the health reports, the services list) kept per read, so
 * that a read between changes is a write of bytes already made. With 10,000 services some check
 * finishes every few milliseconds (~167 results/s at 60 s), so "rebuilt on every change" would be
 * "rebuilt on every request": a kept answer is therefore rebuilt only when what it was built from
 * has changed *and* it is at least `windowMs` old. That bounds staleness: an answer served was
 * built less than `windowMs` ago from the state of then, so every change older than the window is
 * in it, and a change shows up at most `windowMs` after it happened. Reads with few entries
 * (where a rebuild costs less than a millisecond) pass a window of 0 and are always current.
 */

export interface ReadSnapshotsOptions {
  /** How many reads (path, query, encoding…) are kept; the least recently read goes first. */
  max?: number;
  /** The clock, in milliseconds (tests pass their own). */
  now?: () => number;
}

interface Kept<T> {
  exact: readonly unknown[];
  coalesced: readonly unknown[];
  builtAt: number;
  value: T;
}

export class ReadSnapshots<T> {
  // A Map keeps insertion order: re-inserting on each read makes the first key the least recent.
  readonly #kept = new Map<string, Kept<T>>();
  readonly #max: number;
  readonly #now: () => number;
  #builds = 0;

  constructor({ max = 8, now = Date.now }: ReadSnapshotsOptions = {}) {
    this.#max = max;
    this.#now = now;
  }

  /**
   * The value kept for `key`, or `build()`'s, which is then kept. Inputs are compared one by one
   * with `===`: a change of an `exact` one (e.g. the list of services itself, or draining) always
   * rebuilds; a change of a `coalesced` one (e.g. the health monitor's version) rebuilds once the
   * kept value is `windowMs` old.
   */
  get(key: string, { exact = [], coalesced, windowMs }: { exact?: readonly unknown[]; coalesced: readonly unknown[]; windowMs: number }, build: () => T): T {
    const now = this.#now();
    const kept = this.#kept.get(key);
    if (kept && sameInputs(kept.exact, exact) && (now - kept.builtAt < windowMs || sameInputs(kept.coalesced, coalesced))) {
      this.#kept.delete(key);
      this.#kept.set(key, kept);
      return kept.value;
    }
    const value = build();
    this.#builds++;
    this.#kept.delete(key);
    this.#kept.set(key, { exact, coalesced, builtAt: now, value });
    while (this.#kept.size > this.#max) this.#kept.delete(this.#kept.keys().next().value!);
    return value;
  }

  /** Forgets every kept answer (e.g. the list they were built from changed). */
  clear(): void {
    this.#kept.clear();
  }

  /** How many answers have been built so far (what a test can count instead of timing). */
  get builds(): number {
    return this.#builds;
  }
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((input, i) => input === b[i]);
}
