/**
 * The bar strip of status pages: one bar per day, oldest first. Each day says its date and uptime
 * in words (read by screen readers, and shown on hover); its height and pattern say the same as
 * its colour, so the strip does not depend on colour: full for a day up, lower the more it was
 * down, an empty outline for a day without data.
 */
import type { StatusDay } from '../../../../contracts/status-pages.ts';
import { percent, shortDate } from './status-words.ts';

export function dayLevel(day: StatusDay): 'none' | 'up' | 'partial' | 'down' {
  if (day.uptimePercent === null) return 'none';
  if (day.uptimePercent >= 99.9) return 'up';
  if (day.uptimePercent >= 95) return 'partial';
  return 'down';
}

export function dayLabel(day: StatusDay): string {
  return day.uptimePercent === null ? `${shortDate(day.date)}: no data` : `${shortDate(day.date)}: ${percent(day.uptimePercent)} up`;
}

export function DayStrip({ name, days }: { name: string; days: StatusDay[] }) {
  return (
    <ol className="day-strip" aria-label={`${name}, the last ${days.length} days, oldest first`}>
      {days.map((day) => (
        <li key={day.date} className={`day day-${dayLevel(day)}`} title={dayLabel(day)}>
          <span className="visually-hidden">{dayLabel(day)}</span>
        </li>
      ))}
    </ol>
  );
}
