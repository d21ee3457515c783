/**
 * The time range every chart of the metrics pages shows: a preset that ends now (`?range=1h`) or
 * a fixed `from`–`to` in UTC (`?from=2026-12-04T10:00&to=2026-12-04T12:00`). It lives in the URL,
 * so it is kept across the metrics pages, a reload and a shared link.
 */
export const RANGE_PRESETS = [
  { key: '15m', label: '15 minutes', seconds: 15 * 60 },
  { key: '1h', label: '1 hour', seconds: 3600 },
  { key: '6h', label: '6 hours', seconds: 6 * 3600 },
  { key: '24h', label: '24 hours', seconds: 24 * 3600 },
  { key: '7d', label: '7 days', seconds: 7 * 86_400 },
  { key: '30d', label: '30 days', seconds: 30 * 86_400 },
] as const;

export type RangePreset = (typeof RANGE_PRESETS)[number];
export const DEFAULT_PRESET: RangePreset = RANGE_PRESETS[1];

/** The longest fixed range: the 1-hour aggregates are kept about this long. */
const MAX_CUSTOM_MS = 400 * 86_400_000;
/** Points a chart asks for at most; a sample every 15 s is the finest there is. */
const POINTS_PER_CHART = 240;
const FINEST_STEP_SECONDS = 15;

export type TimeRange = { kind: 'preset'; preset: RangePreset } | { kind: 'custom'; from: number; to: number };

/** The range the URL asks for, or the default with the reason when it asks for one that is not valid. */
export function parseTimeRange(params: URLSearchParams): { range: TimeRange; problem?: string } {
  const from = params.get('from');
  const to = params.get('to');
  if (from !== null || to !== null) {
    const start = parseUtcMinute(from ?? '');
    const end = parseUtcMinute(to ?? '');
    if (start === undefined || end === undefined) return { range: preset(), problem: 'The custom range needs a valid start and end (UTC).' };
    if (start >= end) return { range: preset(), problem: 'The custom range must start before it ends.' };
    if (end - start > MAX_CUSTOM_MS) return { range: preset(), problem: 'The custom range may span at most 400 days.' };
    return { range: { kind: 'custom', from: start, to: end } };
  }
  const key = params.get('range');
  if (key === null) return { range: preset() };
  const found = RANGE_PRESETS.find((p) => p.key === key);
  return found ? { range: preset(found) } : { range: preset(), problem: `There is no range “${key}”: showing the last ${DEFAULT_PRESET.label}.` };
}

const preset = (found: RangePreset = DEFAULT_PRESET): TimeRange => ({ kind: 'preset', preset: found });

/** `YYYY-MM-DDTHH:MM` (a datetime-local input's value, seconds optional) read as UTC; a trailing Z is allowed. */
export function parseUtcMinute(text: string): number | undefined {
  const local = text.endsWith('Z') ? text.slice(0, -1) : text;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(local) && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(local)) return undefined;
  const ms = Date.parse(`${local}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A time as a datetime-local input's value, in UTC. */
export const utcMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** The range's start and end now, in ms since the epoch. */
export function resolveRange(range: TimeRange, now: number): { from: number; to: number } {
  return range.kind === 'custom' ? { from: range.from, to: range.to } : { from: now - range.preset.seconds * 1000, to: now };
}

/** The URL parameters that say the range (and nothing else). */
export function rangeParams(range: TimeRange): URLSearchParams {
  return range.kind === 'custom'
    ? new URLSearchParams({ from: utcMinute(range.from), to: utcMinute(range.to) })
    : new URLSearchParams({ range: range.preset.key });
}

/** What names the range in a query key: a preset is the same range whenever it is fetched. */
export const rangeKey = (range: TimeRange) => rangeParams(range).toString();

export function describeRange(range: TimeRange): string {
  if (range.kind === 'preset') return `the last ${range.preset.label}`;
  return `${utcMinute(range.from).replace('T', ' ')} to ${utcMinute(range.to).replace('T', ' ')} UTC`;
}

/**
 * How often the charts refresh: often for the short ranges someone watches live, rarely for the
 * long ones (a new point barely moves them), never for a fixed range, which does not move.
 * TanStack Query pauses the interval while the tab is hidden.
 */
export function refreshIntervalMs(range: TimeRange): number | false {
  if (range.kind === 'custom') return false;
  if (range.preset.seconds <= 3600) return 15_000;
  if (range.preset.seconds <= 24 * 3600) return 60_000;
  return 5 * 60_000;
}

/** Seconds per point: about POINTS_PER_CHART points, never finer than the sampling. */
export function stepSecondsFor({ from, to }: { from: number; to: number }): number {
  return Math.max(Math.ceil((to - from) / 1000 / POINTS_PER_CHART), FINEST_STEP_SECONDS);
}
