/**
 * Alertmanager `time_intervals`: named sets of periods (times of day, weekdays, days of the month,
 * months, years, in a time zone) that mute or activate routes. Evaluated with Intl so a location's
 * daylight-saving changes are honoured without a time-zone dependency.
 */
import { z } from 'zod';

export interface TimePeriodConfig {
  times?: { startTime: string; endTime: string }[] | undefined;
  weekdays?: string[] | undefined;
  daysOfMonth?: string[] | undefined;
  months?: string[] | undefined;
  years?: string[] | undefined;
  /** IANA zone name; UTC when absent. `Local` is not accepted: the server's zone is not the user's. */
  location?: string | undefined;
}

export interface TimeIntervalConfig {
  name: string;
  timeIntervals: TimePeriodConfig[];
}

interface Range {
  begin: number;
  end: number;
}

/** A period resolved to numeric, inclusive ranges (times in minutes, end exclusive). */
export interface TimePeriod {
  times: Range[];
  weekdays: Range[];
  daysOfMonth: Range[];
  months: Range[];
  years: Range[];
  location: string;
}

export interface TimeInterval {
  name: string;
  periods: TimePeriod[];
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function splitRange(text: string): [string, string] {
  const parts = text.split(':');
  if (parts.length === 1) return [text, text];
  if (parts.length === 2) return parts as [string, string];
  throw new Error(`"${text}" is not a value or a range "start:end"`);
}

function named(list: string[], what: string) {
  return (text: string): Range => {
    const [a, b] = splitRange(text.toLowerCase());
    const lookup = (s: string): number => {
      const byName = list.indexOf(s);
      if (byName >= 0) return what === 'month' ? byName + 1 : byName;
      // Months may also be numbers (1–12), as in Alertmanager.
      if (what === 'month' && /^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 12) return Number(s);
      throw new Error(`"${s}" is not a ${what}`);
    };
    const begin = lookup(a);
    const end = lookup(b);
    if (begin > end) throw new Error(`${what} range "${text}" starts after it ends`);
    return { begin, end };
  };
}

function dayOfMonthRange(text: string): Range {
  const [a, b] = splitRange(text);
  const parse = (s: string): number => {
    const n = /^-?\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(n) || n === 0 || n < -31 || n > 31) throw new Error(`"${s}" is not a day of the month (1 to 31, or -1 to -31 counting from the end)`);
    return n;
  };
  const begin = parse(a);
  const end = parse(b);
  // Alertmanager compares positive and negative days on a 30-day month; a positive start with a
  // negative end ("1:-1") is always valid.
  const trueBegin = begin < 0 ? 30 + begin : begin;
  const trueEnd = end < 0 ? 30 + end : end;
  if (!(begin > 0 && end < 0) && trueBegin > trueEnd) throw new Error(`day-of-month range "${text}" starts after it ends`);
  return { begin, end };
}

function yearRange(text: string): Range {
  const [a, b] = splitRange(text);
  if (!/^\d{1,4}$/.test(a) || !/^\d{1,4}$/.test(b)) throw new Error(`"${text}" is not a year or a range of years`);
  const begin = Number(a);
  const end = Number(b);
  if (begin > end) throw new Error(`year range "${text}" starts after it ends`);
  return { begin, end };
}

function minutes(text: string, { end }: { end: boolean }): number {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a time (HH:MM)`);
  const total = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59 || total > 24 * 60 || (!end && total === 24 * 60)) throw new Error(`"${text}" is not a time of day (00:00 to 24:00)`);
  return total;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function refined<T>(parse: (s: string) => T) {
  return z.string().superRefine((s, ctx) => {
    try {
      parse(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });
}

export const timePeriodSchema = z.strictObject({
  times: z
    .array(
      z.strictObject({ startTime: refined((s) => minutes(s, { end: false })), endTime: refined((s) => minutes(s, { end: true })) }).superRefine((t, ctx) => {
        try {
          if (minutes(t.startTime, { end: false }) >= minutes(t.endTime, { end: true }))
            ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'end time must be after start time' });
        } catch {
          // Already reported by the field's own check.
        }
      }),
    )
    .optional(),
  weekdays: z.array(refined(named(WEEKDAYS, 'weekday'))).optional(),
  daysOfMonth: z.array(refined(dayOfMonthRange)).optional(),
  months: z.array(refined(named(MONTHS, 'month'))).optional(),
  years: z.array(refined(yearRange)).optional(),
  location: z
    .string()
    .refine((z) => z !== 'Local' && validZone(z), { message: 'not a known IANA time zone' })
    .optional(),
});

export const timeIntervalSchema = z.strictObject({ name: z.string().min(1), timeIntervals: z.array(timePeriodSchema) });
export const timeIntervalsSchema = z.array(timeIntervalSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((t, i) => {
    if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate time interval "${t.name}"` });
    seen.add(t.name);
  });
});

/** Validates (throwing zod's error, with paths) and resolves one named interval. */
export function buildTimeInterval(input: unknown): TimeInterval {
  const cfg = timeIntervalSchema.parse(input);
  return {
    name: cfg.name,
    periods: cfg.timeIntervals.map((p) => ({
      times: (p.times ?? []).map((t) => ({ begin: minutes(t.startTime, { end: false }), end: minutes(t.endTime, { end: true }) })),
      weekdays: (p.weekdays ?? []).map(named(WEEKDAYS, 'weekday')),
      daysOfMonth: (p.daysOfMonth ?? []).map(dayOfMonthRange),
      months: (p.months ?? []).map(named(MONTHS, 'month')),
      years: (p.years ?? []).map(yearRange),
      location: p.location ?? 'UTC',
    })),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a zone. */
export function wallClock(at: Date, zone: string): { year: number; month: number; day: number; weekday: number; minute: number } {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'long',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf(String(parts.weekday).toLowerCase()),
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const inRanges = (ranges: Range[], v: number): boolean => ranges.length === 0 || ranges.some((r) => v >= r.begin && v <= r.end);

/** Whether one period contains the instant; a field left empty matches every value. */
export function periodContains(p: TimePeriod, at: Date): boolean {
  const t = wallClock(at, p.location);
  if (p.times.length > 0 && !p.times.some((r) => t.minute >= r.begin && t.minute < r.end)) return false;
  if (!inRanges(p.weekdays, t.weekday)) return false;
  if (!inRanges(p.months, t.month)) return false;
  if (!inRanges(p.years, t.year)) return false;
  if (p.daysOfMonth.length > 0) {
    const dim = daysInMonth(t.year, t.month);
    const hit = p.daysOfMonth.some((r) => {
      const begin = r.begin < 0 ? dim + r.begin + 1 : r.begin;
      const end = r.end < 0 ? dim + r.end + 1 : r.end;
      // A range starting past this month's end ("31" in April) does not spill into the next.
      if (begin > dim) return false;
      return t.day >= Math.max(begin, 1) && t.day <= Math.min(end, dim);
    });
    if (!hit) return false;
  }
  return true;
}

/** Whether any of the interval's periods contains the instant. */
export function isActive(interval: TimeInterval, at: Date): boolean {
  return interval.periods.some((p) => periodContains(p, at));
}
