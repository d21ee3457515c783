import { describe, expect, it } from 'vitest';
import { alertRuleSchema } from './alert-rules.ts';

const rule = (overrides: Record<string, unknown> = {}): unknown => ({
  name: 'HighLatency',
  source: { type: 'metric', metric: 'http_request_duration_seconds', aggregation: 'avg', window: '5m', op: '>', threshold: 0.5 },
  severity: 'warning',
  ...overrides,
});

const issues = (input: unknown) => {
  const result = alertRuleSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
};

describe('the alert rule schema', () => {
  it('fills the defaults, parses durations to milliseconds and puts severity in the labels', () => {
    const parsed = alertRuleSchema.parse(rule({ labels: { team: 'ops' } }));
    expect(parsed).toMatchObject({ for: 0, keepFiringFor: 0, interval: 60_000, enabled: true, annotations: {}, labels: { team: 'ops', severity: 'warning' } });
    expect(parsed.source).toMatchObject({ window: 300_000, match: {} });
    expect(alertRuleSchema.parse(rule({ for: '1h30m', keepFiringFor: '10m', interval: '30s' }))).toMatchObject({
      for: 5_400_000,
      keepFiringFor: 600_000,
      interval: 30_000,
    });
  });

  it('accepts each kind of source', () => {
    expect(issues(rule({ source: { type: 'health', component: 'database', statuses: ['fail'] } }))).toEqual([]);
    expect(issues(rule({ source: { type: 'health', components: ['a', 'b'], latencyDegraded: true } }))).toEqual([]);
    expect(issues(rule({ source: { type: 'health', group: 'services', statuses: ['warn', 'fail'] } }))).toEqual([]);
    expect(issues(rule({ source: { type: 'metric', metric: 'up', match: { job: 'api' }, absent: true } }))).toEqual([]);
    expect(issues(rule({ source: { type: 'security-events', kinds: ['brute-force'], minSeverity: 'high', window: '15m', count: 3 } }))).toEqual([]);
  });

  it('refuses an unknown field, at the rule and in its source', () => {
    expect(issues(rule({ summary: 'x' }))).toEqual([expect.objectContaining({ path: '' })]);
    expect(issues(rule({ source: { type: 'health', component: 'database', statuses: ['fail'], colour: 'red' } }))[0]?.path).toBe('source');
  });

  it('refuses a bad duration and an interval under 10s', () => {
    expect(issues(rule({ for: '5 minutes' }))).toEqual([{ path: 'for', message: 'must be a duration such as 30s, 5m or 1h30m' }]);
    expect(issues(rule({ interval: '5s' }))).toEqual([{ path: 'interval', message: 'must be at least 10s' }]);
  });

  it('refuses a malformed template as an issue at annotations.<key> naming the column', () => {
    expect(issues(rule({ annotations: { summary: 'Latency {{ $value | humanise }}', description: 'ok' } }))).toEqual([
      { path: 'annotations.summary', message: 'line 1, column 21: unknown function "humanise"' },
    ]);
    const [issue] = alertRuleSchema.safeParse(rule({ annotations: { summary: 'Latency {{ $value' } })).error!.issues;
    expect(issue).toMatchObject({ path: ['annotations', 'summary'], params: { line: 1, column: 9 } });
  });

  it('refuses a name that is not a Prometheus alertname, and labels the rule sets itself', () => {
    expect(issues(rule({ name: '9lives' }))[0]?.path).toBe('name');
    expect(issues(rule({ name: 'high-latency' }))[0]?.path).toBe('name');
    expect(issues(rule({ labels: { severity: 'page' } }))[0]?.path).toBe('labels.severity');
    expect(issues(rule({ labels: { alertname: 'x' } }))[0]?.path).toBe('labels.alertname');
    expect(issues(rule({ labels: { 'bad-name': 'x' } }))[0]?.path).toBe('labels.bad-name');
  });

  it('refuses a source that says neither or both of its conditions', () => {
    expect(issues(rule({ source: { type: 'health', component: 'database' } }))[0]?.path).toBe('source.statuses');
    expect(issues(rule({ source: { type: 'health', component: 'database', components: ['x'], statuses: ['fail'] } }))[0]?.path).toBe('source.component');
    expect(issues(rule({ source: { type: 'metric', metric: 'up', op: '>' } }))[0]?.path).toBe('source.threshold');
    expect(issues(rule({ source: { type: 'metric', metric: 'up', op: '>', threshold: 1, absent: true } }))[0]?.path).toBe('source.op');
    expect(issues(rule({ source: { type: 'metric', metric: 'up', aggregation: 'p99', op: '>', threshold: 1 } }))[0]?.path).toBe('source.aggregation');
    expect(issues(rule({ source: { type: 'logs' } }))[0]?.path).toBe('source.type');
  });
});
