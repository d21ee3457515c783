import { describe, expect, it } from 'vitest';
import type { HealthHistoryResponse, HealthResponse } from '../../../../contracts/health.ts';
import { componentReports, describeTimeline, timelineOf } from './health-data.ts';

type Stats = HealthHistoryResponse['components'][number];

const stats = (changes: Stats['stateChanges'], samples = changes.length): Stats => ({
  component: 'cache',
  samples,
  uptimePercent: null,
  latencyMs: { p50: null, p95: null, p99: null },
  latencyExact: true,
  stateChanges: changes,
  recoveries: [],
  truncated: false,
  latencyBaseline: null,
});

const window = { from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-01-01T10:00:00Z') };
const at = (hour: number) => `2026-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`;

describe('timelineOf', () => {
  it('splits the window at each state change, the stretch before the first in the status it left', () => {
    const segments = timelineOf(
      stats([
        { at: at(2), from: 'pass', to: 'fail', output: 'down' },
        { at: at(3), from: 'fail', to: 'pass', output: null },
      ]),
      window,
      'pass',
    );
    expect(segments.map((s) => [s.status, (s.to - s.from) / 3_600_000])).toEqual([
      ['pass', 2],
      ['fail', 1],
      ['pass', 7],
    ]);
    expect(describeTimeline(segments)).toBe('operational 90.0 %, failing 10.0 %');
  });

  it('calls the time before a first result after a start not checked', () => {
    const segments = timelineOf(stats([{ at: at(5), from: null, to: 'pass', output: null }]), window, 'pass');
    expect(segments.map((s) => s.status)).toEqual(['unknown', 'pass']);
  });

  it('without changes, shows the status now if the window has checks, and not checked otherwise', () => {
    expect(timelineOf(stats([], 3), window, 'warn')).toEqual([{ ...window, status: 'warn' }]);
    expect(timelineOf(stats([], 0), window, 'warn')).toEqual([{ ...window, status: 'unknown' }]);
    expect(timelineOf(undefined, window, undefined)).toEqual([{ ...window, status: 'unknown' }]);
  });
});

describe('componentReports', () => {
  it('groups a report’s entries by component: its check and its other measurements', () => {
    const entry = { componentId: 'x', componentType: 'system' as const, status: 'pass' as const, time: at(1) };
    const report: HealthResponse = {
      status: 'pass',
      version: '1',
      releaseId: '1',
      serviceId: 'wk',
      description: '',
      notes: [],
      checks: {
        'cache:responseTime': [{ ...entry, observedValue: 1.5, observedUnit: 'ms' }],
        'cache:hitRatio': [{ ...entry, observedValue: 99 }],
        'audit-log:responseTime': [{ ...entry, status: 'warn' }],
      },
    };
    expect(componentReports(report).map((r) => [r.name, r.check.status, r.measurements.map((m) => m.name)])).toEqual([
      ['audit-log', 'warn', []],
      ['cache', 'pass', ['hitRatio']],
    ]);
  });
});
