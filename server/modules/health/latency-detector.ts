/**
 * Performance degradation detection: compares a component's recent p95 latency with its own
 * rolling baseline. Recent samples are kept out of the baseline, and so are the samples of a
 * slowdown, so it cannot hide by becoming its own reference until it has lasted a whole baseline
 * window.
 */
export interface LatencyDetectorOptions {
  factor: number;
  /** Samples forming the "recent" window that must be slow (sustained, not a single spike). */
  recentSize?: number;
  /** Samples forming the baseline. */
  baselineSize?: number;
  /** Baseline samples needed before the detector judges. */
  minBaseline?: number;
  /** Differences below this many ms are noise, whatever the ratio. */
  floorMs?: number;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface LatencyBaseline {
  p95Ms: number;
  /** A check slower than this counts as slow; most of the recent window slow is a degradation. */
  thresholdMs: number;
  /** Checks the baseline holds now. */
  samples: number;
  /** Whether it holds enough checks for the detector to judge. */
  judging: boolean;
}

/** Nearest rank over numbers sorted already (see percentile). */
function percentileOfSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * A first-in first-out window of numbers in one array allocated up front, so a component's
 * detector holds the same memory from its first check to its millionth: with 10,000 components,
 * windows that grew an array entry per check made the live heap rise for the first two hours.
 */
class NumberWindow {
  readonly #values: Float64Array;
  #start = 0;
  #length = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  /** The i-th oldest value. */
  at(i: number): number {
    return this.#values[(this.#start + i) % this.#values.length]!;
  }

  /** Appends `value`; when full, drops the oldest. */
  push(value: number): void {
    const capacity = this.#values.length;
    if (this.#length < capacity) {
      this.#values[(this.#start + this.#length++) % capacity] = value;
    } else {
      this.#values[this.#start] = value;
      this.#start = (this.#start + 1) % capacity;
    }
  }

  /** Drops and returns the oldest value. */
  shift(): number {
    const value = this.#values[this.#start]!;
    this.#start = (this.#start + 1) % this.#values.length;
    this.#length--;
    return value;
  }

  clear(): void {
    this.#start = 0;
    this.#length = 0;
  }

  /** The values, ascending, in a new array. */
  sorted(): Float64Array {
    const sorted = new Float64Array(this.#length);
    for (let i = 0; i < this.#length; i++) sorted[i] = this.at(i);
    return sorted.sort();
  }
}

export class LatencyDetector {
  readonly #recent: NumberWindow;
  /** Whether each recent sample (by age, as in #recent) was seen while the window was judged degraded: part of a slowdown. */
  readonly #slowdown: Uint8Array;
  readonly #baseline: NumberWindow;
  /** Samples of an ongoing slowdown; they replace the baseline only if it outlasts a whole baseline window. Made when a slowdown first leaves the recent window. */
  #held: NumberWindow | undefined;
  readonly #factor: number;
  readonly #recentSize: number;
  readonly #baselineSize: number;
  readonly #minBaseline: number;
  readonly #floorMs: number;

  constructor({ factor, recentSize = 10, baselineSize = 100, minBaseline = 20, floorMs = 5 }: LatencyDetectorOptions) {
    this.#factor = factor;
    this.#recentSize = recentSize;
    this.#baselineSize = baselineSize;
    this.#minBaseline = minBaseline;
    this.#floorMs = floorMs;
    this.#recent = new NumberWindow(recentSize);
    this.#slowdown = new Uint8Array(recentSize);
    this.#baseline = new NumberWindow(baselineSize);
  }

  add(latencyMs: number): void {
    if (this.#recent.length === this.#recentSize) {
      const oldest = this.#recent.shift();
      const slowdown = this.#slowdown[0] === 1;
      this.#slowdown.copyWithin(0, 1);
      // A slowdown's samples must not become the reference they are judged against.
      if (slowdown) {
        this.#held ??= new NumberWindow(this.#baselineSize);
        this.#held.push(oldest);
        if (this.#held.length >= this.#baselineSize) {
          this.#baseline.clear();
          for (let i = 0; i < this.#held.length; i++) this.#baseline.push(this.#held.at(i));
          this.#held.clear();
        }
      } else {
        this.#held?.clear();
        this.#baseline.push(oldest);
      }
    }
    this.#slowdown[this.#recent.length] = 0;
    this.#recent.push(latencyMs);
    if (this.#judge()) this.#slowdown.fill(1, 0, this.#recent.length);
  }

  #judge(): { recentP95: number; baselineP95: number } | undefined {
    if (this.#baseline.length < this.#minBaseline || this.#recent.length < this.#recentSize) return undefined;
    const baselineP95 = percentileOfSorted(this.#baseline.sorted(), 95);
    const threshold = Math.max(this.#factor * baselineP95, baselineP95 + this.#floorMs);
    // Sustained: most of the recent window is slow. Over ten samples the p95 is the maximum, so
    // on its own it would flag a single spike.
    let slow = 0;
    for (let i = 0; i < this.#recent.length; i++) if (this.#recent.at(i) > threshold) slow++;
    if (slow * 2 < this.#recent.length) return undefined;
    return { recentP95: percentileOfSorted(this.#recent.sorted(), 95), baselineP95 };
  }

  /**
   * The reference recent checks are judged against: the baseline's p95 and the latency above
   * which a check counts as slow. Undefined until a first check has left the recent window.
   */
  baseline(): LatencyBaseline | undefined {
    if (this.#baseline.length === 0) return undefined;
    const p95Ms = percentileOfSorted(this.#baseline.sorted(), 95);
    return {
      p95Ms,
      thresholdMs: Math.max(this.#factor * p95Ms, p95Ms + this.#floorMs),
      samples: this.#baseline.length,
      judging: this.#baseline.length >= this.#minBaseline,
    };
  }

  /** A sentence describing the slowdown, or undefined when latency is normal. */
  assess(): string | undefined {
    const judged = this.#judge();
    if (!judged) return undefined;
    const { recentP95, baselineP95 } = judged;
    const ratio = recentP95 / Math.max(baselineP95, 0.001);
    return `latency degraded: p95 ${recentP95.toFixed(1)} ms over the last ${this.#recent.length} checks is ${ratio.toFixed(1)}× the baseline p95 of ${baselineP95.toFixed(1)} ms`;
  }
}
