/**
 * Performance degradation detection: compares a component's recent p95 latency with its own
 * rolling baseline. Recent samples are kept out of the baseline so a slowdown cannot hide by
 * becoming its own reference until it has lasted a whole baseline window.
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

export class LatencyDetector {
  readonly #samples: number[] = [];
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
    this.#samples.push(latencyMs);
    if (this.#samples.length > this.#recentSize + this.#baselineSize) this.#samples.shift();
  }

  /** A sentence describing the slowdown, or undefined when latency is normal. */
  assess(): string | undefined {
    const baseline = this.#samples.slice(0, -this.#recentSize);
    const recent = this.#samples.slice(-this.#recentSize);
    if (baseline.length < this.#minBaseline || recent.length < this.#recentSize) return undefined;
    const baselineP95 = percentile(baseline, 95);
    const recentP95 = percentile(recent, 95);
    if (recentP95 - baselineP95 < this.#floorMs) return undefined;
    if (recentP95 <= this.#factor * Math.max(baselineP95, 0.001)) return undefined;
    const ratio = recentP95 / Math.max(baselineP95, 0.001);
    return `latency degraded: p95 ${recentP95.toFixed(1)} ms over the last ${recent.length} checks is ${ratio.toFixed(1)}× the baseline p95 of ${baselineP95.toFixed(1)} ms`;
  }
}
