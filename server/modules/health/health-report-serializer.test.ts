import { describe, expect, it } from 'vitest';
import { healthResponseSchema } from '../../../contracts/health.ts';
import { SYSTEM_SCOPE } from '../../../contracts/tenancy.ts';
import type { ComponentState } from './component-state.ts';
import { buildHealthReport } from './health-report.ts';
import { HealthReportSerializer } from './health-report-serializer.ts';

const identity = { version: '1.2.3', releaseId: 'abc', serviceId: 'watchkeeper-test' };

function component(id: string, extra: Partial<ComponentState> = {}): ComponentState {
  return {
    id,
    scope: SYSTEM_SCOPE,
    componentType: 'external',
    componentId: `GET http://example.test/${id}`,
    critical: false,
    groups: [id, 'services'],
    affectedEndpoints: ['/api/things'],
    status: 'pass',
    output: undefined,
    measurements: [
      { name: 'statusCode', observedValue: 200, status: 'pass' },
      { name: 'latency', observedValue: 12.5, observedUnit: 'ms', status: 'pass' },
    ],
    latencyMs: 12.5,
    checkedAt: new Date('2026-01-02T03:04:05.000Z'),
    consecutiveFailures: 0,
    lastError: undefined,
    lastErrorAt: undefined,
    degradation: undefined,
    revision: 1,
    ...extra,
  };
}

let serializer: HealthReportSerializer;
const serialize = (...args: Parameters<HealthReportSerializer['serialize']>) => serializer.serialize(...args).toString('utf8');

describe('HealthReportSerializer', () => {
  it('writes the document buildHealthReport gives, as the route schema serializes it', () => {
    const states = [
      component('api'),
      component('queue', { status: 'fail', output: 'HTTP 500, expected 200', critical: true, consecutiveFailures: 2 }),
      component('fresh', { status: undefined, output: 'not checked yet', measurements: [], latencyMs: undefined, checkedAt: undefined, revision: 0 }),
      component('slow', { status: 'warn', output: 'p95 3× its baseline', degradation: 'p95 3× its baseline' }),
    ];
    const summary = { description: 'Watchkeeper status', status: 'warn' as const, notes: ['uptime 5 s'] };
    serializer = new HealthReportSerializer({ identity });
    const expected = healthResponseSchema.parse(buildHealthReport(identity, states, summary));
    expect(JSON.parse(serialize(states, summary))).toEqual(JSON.parse(JSON.stringify(expected)));
    // A given output replaces the list of problems; an empty one means none, as before.
    expect(JSON.parse(serialize(states, { ...summary, output: 'draining' })).output).toBe('draining');
    expect(JSON.parse(serialize([component('api')], { ...summary, output: '' }))).not.toHaveProperty('output');
    expect(JSON.parse(serialize([], summary))).toEqual(JSON.parse(JSON.stringify(healthResponseSchema.parse(buildHealthReport(identity, [], summary)))));
  });

  it("serializes a component's checks again only once its revision says it changed", () => {
    const state = component('api');
    serializer = new HealthReportSerializer({ identity });
    const summary = { description: 'status', status: 'pass' as const };
    const before = JSON.parse(serialize([state], summary)).checks;
    // Changed without a new revision: the kept piece is reused, so the change does not show.
    state.latencyMs = 99;
    expect(JSON.parse(serialize([state], summary)).checks).toEqual(before);
    state.revision++;
    expect(JSON.parse(serialize([state], summary)).checks['api:responseTime'][0].observedValue).toBe(99);
  });
});
