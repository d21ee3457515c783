/** Prometheus durations (`1h30m`, `5m`, `1d`, `0`): units y, w, d, h, m, s, ms, largest first. */
const UNITS = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
] as const;

export class DurationParseError extends Error {
  constructor(text: string) {
    super(`not a valid duration: "${text}" (expected e.g. 30s, 5m, 1h30m, 1d)`);
    this.name = 'DurationParseError';
  }
}

/** Milliseconds. Each unit at most once and in descending order, as Prometheus requires. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  if (text === '') throw new DurationParseError(text);
  let rest = text;
  let total = 0;
  let unitIndex = 0;
  while (rest !== '') {
    const m = /^(\d+)(ms|[ywdhms])/.exec(rest);
    if (!m) throw new DurationParseError(text);
    const [whole, digits, unit] = m as unknown as [string, string, string];
    const idx = UNITS.findIndex(([u], i) => i >= unitIndex && u === unit);
    if (idx < 0) throw new DurationParseError(text);
    total += Number(digits) * (UNITS[idx] as (typeof UNITS)[number])[1];
    unitIndex = idx + 1;
    rest = rest.slice(whole.length);
  }
  if (!Number.isSafeInteger(total)) throw new DurationParseError(text);
  return total;
}

/** Prometheus' own rendering: `0s`, `1h30m`, `1w`, `8d` (weeks only when the days divide by 7). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'w' && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
