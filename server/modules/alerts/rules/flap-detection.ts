/**
 * Flap detection as Nagios does it: over the last 21 results (20 possible changes), the percent
 * of changes, each weighted by age from 0.8 (the oldest) to 1.2 (the newest) so that a series
 * that has settled down stops counting as flapping sooner. A series starts flapping when the
 * percent exceeds the high threshold and stops only when it falls below the low one, so it does
 * not flap in and out of flapping. Pure: the caller keeps the state between evaluations.
 */

export const FLAP_HISTORY = 21;
const CHANGES = FLAP_HISTORY - 1;
const OLDEST_WEIGHT = 0.8;
const NEWEST_WEIGHT = 1.2;

export interface FlapThresholds {
  /** Percent: above it a series starts flapping. */
  high: number;
  /** Percent: below it a flapping series stops. */
  low: number;
}

export const DEFAULT_FLAP_THRESHOLDS: FlapThresholds = { high: 50, low: 25 };

/** The weight of the change between results i-1 and i of a full history (1 ≤ i ≤ 20). */
export const changeWeight = (i: number) => OLDEST_WEIGHT + ((i - 1) * (NEWEST_WEIGHT - OLDEST_WEIGHT)) / (CHANGES - 1);

/**
 * Weighted percent state change of the last 21 results, oldest first. A shorter history counts
 * as if padded with its first result at the old end, as Nagios fills a new history with the
 * first state: its changes keep the weights of the newest positions, and the denominator stays 20.
 */
export function percentStateChange<T>(results: readonly T[], { weighted = true }: { weighted?: boolean } = {}): number {
  const recent = results.slice(-FLAP_HISTORY);
  const offset = FLAP_HISTORY - recent.length;
  let changes = 0;
  for (let i = 1; i < recent.length; i++) {
    if (recent[i] !== recent[i - 1]) changes += weighted ? changeWeight(i + offset) : 1;
  }
  return (changes * 100) / CHANGES;
}

export interface FlapState<T> {
  /** The last 21 results at most, oldest first. */
  history: T[];
  flapping: boolean;
  percent: number;
}

export function emptyFlapState<T>(): FlapState<T> {
  return { history: [], flapping: false, percent: 0 };
}

/** Adds one result; `changed` says whether the series started or stopped flapping with it. */
export function recordResult<T>(previous: FlapState<T>, result: T, thresholds: FlapThresholds = DEFAULT_FLAP_THRESHOLDS): FlapState<T> & { changed: boolean } {
  const history = [...previous.history, result].slice(-FLAP_HISTORY);
  const percent = percentStateChange(history);
  const flapping = previous.flapping ? !(percent < thresholds.low) : percent > thresholds.high;
  return { history, flapping, percent, changed: flapping !== previous.flapping };
}
