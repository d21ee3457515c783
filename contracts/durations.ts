/**
 * Prometheus duration strings (`30s`, `5m`, `1h30m`, `250ms`, `0`): units from years to
 * milliseconds, each at most once and largest first, as Prometheus's own parser requires.
 */

const UNITS = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
] as const;

/** Milliseconds of a Prometheus duration, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  // A scan, not one regular expression of seven optional groups (a backtracking risk on input).
  let total = 0;
  let at = 0;
  let unit = 0;
  while (at < text.length) {
    const digits = /^\d{1,16}/.exec(text.slice(at))?.[0];
    if (!digits) return undefined;
    at += digits.length;
    const rest = text.slice(at);
    const next = UNITS.findIndex(([name], i) => i >= unit && rest.startsWith(name) && !(name === 'm' && rest.startsWith('ms')));
    if (next === -1) return undefined;
    total += Number(digits) * UNITS[next]![1];
    at += UNITS[next]![0].length;
    unit = next + 1;
  }
  return text.length > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest Prometheus duration for a whole number of milliseconds (`0s` for none). */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`not a duration: ${ms} ms`);
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
