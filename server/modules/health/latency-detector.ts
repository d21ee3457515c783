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

interface Sample {
  latencyMs: number;
  /** Seen in the recent window while it was judged degraded: part of a slowdown. */
  slowdown: boolean;
}

export class LatencyDetector {
  readonly #recent: Sample[] = [];
  readonly #baseline: number[] = [];
  /** Samples of an ongoing slowdown; they replace the baseline only if it outlasts a whole baseline window. */
  #held: number[] = [];
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
  }

  add(latencyMs: number): void {
    this.#recent.push({ latencyMs, slowdown: false });
    if (this.#recent.length > this.#recentSize) {
      const oldest = this.#recent.shift()!;
      // A slowdown's samples must not become the reference they are judged against.
      if (oldest.slowdown) {
        this.#held.push(oldest.latencyMs);
        if (this.#held.length >= this.#baselineSize) {
          this.#baseline.splice(0, this.#baseline.length, ...this.#held);
          this.#held = [];
        }
      } else {
        this.#held = [];
        this.#baseline.push(oldest.latencyMs);
        if (this.#baseline.length > this.#baselineSize) this.#baseline.shift();
      }
    }
    if (this.#judge()) for (const sample of this.#recent) sample.slowdown = true;
  }

  #judge(): { recentP95: number; baselineP95: number } | undefined {
    if (this.#baseline.length < this.#minBaseline || this.#recent.length < this.#recentSize) return undefined;
    const recent = this.#recent.map((sample) => sample.latencyMs);
    const baselineP95 = percentile(this.#baseline, 95);
    const threshold = Math.max(this.#factor * baselineP95, baselineP95 + this.#floorMs);
    // Sustained: most of the recent window is slow. Over ten samples the p95 is the maximum, so
    // on its own it would flag a single spike.
    const slow = recent.filter((latency) => latency > threshold).length;
    if (slow * 2 < recent.length) return undefined;
    return { recentP95: percentile(recent, 95), baselineP95 };
  }

  /**
   * The reference recent checks are judged against: the baseline's p95 and the latency above
   * which a check counts as slow. Undefined until a first check has left the recent window.
   */
  baseline(): LatencyBaseline | undefined {
    if (this.#baseline.length === 0) return undefined;
    const p95Ms = percentile(this.#baseline, 95);
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
