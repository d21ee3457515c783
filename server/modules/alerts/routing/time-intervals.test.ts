import { describe, expect, it } from 'vitest';
import { buildTimeInterval, isActive } from './time-intervals.ts';

const interval = (timeIntervals: unknown[]) => buildTimeInterval({ name: 't', timeIntervals });

describe('isActive', () => {
  it('is always active with an empty period', () => {
    expect(isActive(interval([{}]), new Date('2026-03-01T03:00:00Z'))).toBe(true);
  });

  it('treats the end time as exclusive', () => {
    const office = interval([{ times: [{ startTime: '09:00', endTime: '17:00' }] }]);
    expect(isActive(office, new Date('2026-06-01T09:00:00Z'))).toBe(true);
    expect(isActive(office, new Date('2026-06-01T16:59:00Z'))).toBe(true);
    expect(isActive(office, new Date('2026-06-01T17:00:00Z'))).toBe(false);
  });

  it('reads weekday ranges', () => {
    const weekdays = interval([{ weekdays: ['monday:friday'] }]);
    expect(isActive(weekdays, new Date('2026-12-04T12:00:00Z'))).toBe(true); // a Friday
    expect(isActive(weekdays, new Date('2026-12-05T12:00:00Z'))).toBe(false); // a Saturday
  });

  it('counts negative days of the month from the end', () => {
    const last = interval([{ daysOfMonth: ['-1'] }]);
    expect(isActive(last, new Date('2026-02-28T12:00:00Z'))).toBe(true);
    expect(isActive(last, new Date('2026-02-27T12:00:00Z'))).toBe(false);
    expect(isActive(interval([{ daysOfMonth: ['1:5'] }]), new Date('2026-02-05T23:59:00Z'))).toBe(true);
  });

  it('does not let a day past the month end spill into the next month', () => {
    expect(isActive(interval([{ daysOfMonth: ['31'] }]), new Date('2026-04-30T12:00:00Z'))).toBe(false);
  });

  it('reads months by name or number, and years', () => {
    const q1 = interval([{ months: ['january:march', '12'], years: ['2026:2027'] }]);
    expect(isActive(q1, new Date('2026-02-10T00:00:00Z'))).toBe(true);
    expect(isActive(q1, new Date('2026-12-10T00:00:00Z'))).toBe(true);
    expect(isActive(q1, new Date('2026-05-10T00:00:00Z'))).toBe(false);
    expect(isActive(q1, new Date('2028-02-10T00:00:00Z'))).toBe(false);
  });

  it('evaluates in the location, across daylight-saving changes', () => {
    const berlin = interval([{ times: [{ startTime: '09:00', endTime: '10:00' }], location: 'Europe/Berlin' }]);
    // 09:30 in Berlin is 08:30 UTC in winter (CET) and 07:30 UTC in summer (CEST).
    expect(isActive(berlin, new Date('2026-01-15T08:30:00Z'))).toBe(true);
    expect(isActive(berlin, new Date('2026-07-15T07:30:00Z'))).toBe(true);
    expect(isActive(berlin, new Date('2026-07-15T08:30:00Z'))).toBe(false);
  });

  it('uses the local day and weekday of the location, not UTC', () => {
    const tokyoMonday = interval([{ weekdays: ['monday'], location: 'Asia/Tokyo' }]);
    expect(isActive(tokyoMonday, new Date('2026-12-06T20:00:00Z'))).toBe(true); // Monday 05:00 in Tokyo
  });

  it('is active when any period is', () => {
    const t = interval([{ weekdays: ['saturday'] }, { weekdays: ['sunday'] }]);
    expect(isActive(t, new Date('2026-12-06T12:00:00Z'))).toBe(true);
  });
});

describe('buildTimeInterval validation', () => {
  it.each([
    [{ weekdays: ['funday'] }, 'weekdays'],
    [{ times: [{ startTime: '17:00', endTime: '09:00' }] }, 'endTime'],
    [{ times: [{ startTime: '25:00', endTime: '26:00' }] }, 'startTime'],
    [{ daysOfMonth: ['0'] }, 'daysOfMonth'],
    [{ daysOfMonth: ['5:1'] }, 'daysOfMonth'],
    [{ months: ['march:january'] }, 'months'],
    [{ location: 'Mars/Olympus' }, 'location'],
  ])('rejects %j, naming the field', (period, field) => {
    expect(() => interval([period])).toThrow(field);
  });

  it('accepts 24:00 as an end time', () => {
    expect(() => interval([{ times: [{ startTime: '00:00', endTime: '24:00' }] }])).not.toThrow();
  });
});
