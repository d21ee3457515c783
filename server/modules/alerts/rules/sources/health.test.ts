/**
 * The health source against the real health monitor of a test app: its built-in components and
 * probes registered here, checked with runNow so every answer is the monitor's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthQuerySchema } from '../../../../../contracts/alert-rules.ts';
import { SYSTEM_SCOPE } from '../../../../../contracts/tenancy.ts';
import { buildTestApp, type TestApp } from '../../../../../test/helpers.ts';
import type { HealthStatus } from '../../../../../contracts/health.ts';
import { createHealthSource } from './health.ts';
import type { SourceContext } from './alert-source.ts';

const context: SourceContext = { ...SYSTEM_SCOPE, now: new Date(), signal: new AbortController().signal };

describe('the health alert source', () => {
  let t: TestApp;
  let statuses: Record<string, HealthStatus>;
  beforeAll(async () => {
    t = await buildTestApp();
    statuses = { 'alert-a': 'fail', 'alert-b': 'warn', 'alert-c': 'pass' };
    for (const id of Object.keys(statuses)) {
      t.app.health.register({
        id,
        componentType: 'component',
        critical: false,
        groups: ['alert-test'],
        check: async () => ({ status: statuses[id]!, output: id }),
      });
    }
    t.app.health.register({ id: 'alert-unchecked', componentType: 'component', critical: false, check: async () => ({ status: 'fail' }) });
    await Promise.all([...Object.keys(statuses), 'database'].map((id) => t.app.health.runNow(id)));
  });
  afterAll(() => t?.close());

  const evaluate = (query: unknown) => createHealthSource({ monitor: t.app.health }).evaluate(healthQuerySchema.parse(query), context);

  it('answers nothing while the real database check passes', async () => {
    expect(t.app.health.get('database')?.status).toBe('pass');
    expect(await evaluate({ component: 'database', statuses: ['fail', 'warn'] })).toEqual({ kind: 'ok', samples: [] });
  });

  it('answers one sample, value 1, per selected component whose status is one of the rule’s', async () => {
    expect(await evaluate({ components: ['alert-a', 'alert-b', 'alert-c'], statuses: ['fail'] })).toEqual({
      kind: 'ok',
      samples: [{ labels: { component: 'alert-a', component_type: 'component', group: 'alert-test' }, value: 1 }],
    });
    const both = await evaluate({ components: ['alert-a', 'alert-b', 'alert-c'], statuses: ['fail', 'warn'] });
    expect(both.kind === 'ok' && both.samples.map((s) => s.labels.component)).toEqual(['alert-a', 'alert-b']);
  });

  it('selects every component of a report group, labelled with it', async () => {
    const result = await evaluate({ group: 'alert-test', statuses: ['warn'] });
    expect(result).toEqual({ kind: 'ok', samples: [{ labels: { component: 'alert-b', component_type: 'component', group: 'alert-test' }, value: 1 }] });
  });

  it('answers a component that has not been checked yet with nothing: its status is not known', async () => {
    expect(await evaluate({ component: 'alert-unchecked', statuses: ['fail'] })).toEqual({ kind: 'ok', samples: [] });
  });

  it('answers no-data for a component or group that is not registered', async () => {
    expect(await evaluate({ component: 'nope', statuses: ['fail'] })).toEqual({ kind: 'no-data', reason: 'no component named "nope"' });
    expect(await evaluate({ components: ['alert-a', 'gone'], statuses: ['fail'] })).toMatchObject({ kind: 'no-data' });
    expect(await evaluate({ group: 'no-such-group', statuses: ['fail'] })).toMatchObject({ kind: 'no-data' });
  });

  it('reads only the components of the rule’s project', async () => {
    const other = { organizationId: SYSTEM_SCOPE.organizationId, projectId: '00000000-0000-4000-8000-00000000ffff' };
    expect(
      await createHealthSource({ monitor: t.app.health }).evaluate(healthQuerySchema.parse({ component: 'alert-a', statuses: ['fail'] }), {
        ...context,
        ...other,
      }),
    ).toMatchObject({
      kind: 'no-data',
    });
  });

  it('answers a degraded component with its latency over the baseline p95', async () => {
    const state = { ...t.app.health.get('alert-a')!, degradation: 'p95 over 3× baseline', latencyMs: 300 };
    const monitor = { list: () => [state], latencyBaseline: () => ({ p95Ms: 100, thresholdMs: 300, samples: 50, judging: true }) };
    const result = await createHealthSource({ monitor }).evaluate(healthQuerySchema.parse({ component: 'alert-a', latencyDegraded: true }), context);
    expect(result).toEqual({ kind: 'ok', samples: [{ labels: expect.objectContaining({ component: 'alert-a' }), value: 3 }] });
    expect(await evaluate({ component: 'alert-a', latencyDegraded: true })).toEqual({ kind: 'ok', samples: [] });
  });
});
