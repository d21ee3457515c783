/** The storage scenario's arithmetic from one measured day to a year of history. */
import { describe, expect, it } from 'vitest';
import { explainProjection, projectStorage } from '../bench/lib/storage-projection.ts';

const tiers = [
  { name: 'raw samples', rowsPerCheckHour: 60, bytesPerRow: 300, hoursKept: 24 },
  { name: '5-minute buckets', rowsPerCheckHour: 12, bytesPerRow: 250, hoursKept: 30 * 24 - 24 },
];

describe('projectStorage', () => {
  it('sums rows per check-hour × checks × hours kept × bytes per row over the tiers', () => {
    const projection = projectStorage({ checks: 1_000, days: 365, tiers });
    expect(projection.tiers.map((tier) => tier.rows)).toEqual([60 * 1_000 * 24, 12 * 1_000 * 696]);
    expect(projection.totalBytes).toBe(60 * 1_000 * 24 * 300 + 12 * 1_000 * 696 * 250);
  });

  it('never stores more of a tier than has happened since the start', () => {
    const projection = projectStorage({ checks: 10, days: 2, tiers });
    expect(projection.tiers.map((tier) => tier.hoursStored)).toEqual([24, 48]);
  });

  it('spells the arithmetic out, one line per tier', () => {
    const [raw] = explainProjection(projectStorage({ checks: 1_000, days: 365, tiers }), 1_000);
    expect(raw).toBe('raw samples: 60 rows/check-hour × 1,000 checks × 24 h × 300 B/row = 432 MB');
  });
});
