/**
 * The arithmetic from one measured day to a year: each resolution of history (raw samples,
 * rollup buckets, events) is kept for its own window, so the size after a year is the sum over
 * resolutions of rows per check-hour × check count × hours kept × bytes per row.
 */
const HOURS_PER_DAY = 24;

export interface HistoryTier {
  name: string;
  /** Rows one check adds per hour at this resolution (60 for raw samples at 60 s, 12 for 5-minute buckets). */
  rowsPerCheckHour: number;
  /** Measured: the table's total size (heap, TOAST, indexes) over its rows. */
  bytesPerRow: number;
  /** How long rows of this tier are kept, from the retention configuration. */
  hoursKept: number;
}

export interface TierProjection extends HistoryTier {
  hoursStored: number;
  rows: number;
  bytes: number;
}

export interface StorageProjection {
  days: number;
  tiers: TierProjection[];
  totalBytes: number;
}

/** The size of history after `days` of running `checks` checks: a tier never holds more than has happened. */
export function projectStorage({ checks, days, tiers }: { checks: number; days: number; tiers: readonly HistoryTier[] }): StorageProjection {
  const projected = tiers.map((tier) => {
    const hoursStored = Math.max(0, Math.min(tier.hoursKept, days * HOURS_PER_DAY));
    const rows = tier.rowsPerCheckHour * checks * hoursStored;
    return { ...tier, hoursStored, rows, bytes: rows * tier.bytesPerRow };
  });
  return { days, tiers: projected, totalBytes: projected.reduce((sum, tier) => sum + tier.bytes, 0) };
}

/** `raw: 60 rows/check-hour × 1,000 checks × 24 h × 180 B = 259 MB`, one line per tier. */
export function explainProjection(projection: StorageProjection, checks: number): string[] {
  const n = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits });
  return projection.tiers.map(
    (tier) =>
      `${tier.name}: ${n(tier.rowsPerCheckHour, 3)} rows/check-hour × ${n(checks)} checks × ${n(tier.hoursStored)} h × ${n(tier.bytesPerRow, 1)} B/row = ${n(tier.bytes / 1e6, 1)} MB`,
  );
}
