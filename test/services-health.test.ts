/**
 * External services under /health: status, latency and last error per service, their effect on
 * overall status and readiness, and the circuit breaker. Services are real local servers.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HealthRecoveryEvent } from '../server/platform/events/index.ts';
import { closedPort, startFakeService, type FakeService } from './fake-services.ts';
import { authenticateAll, buildTestApp, type TestApp } from './helpers.ts';

describe('external service health', () => {
  let t: TestApp;
  let fake: FakeService;
  const recoveries: HealthRecoveryEvent[] = [];
  beforeAll(async () => {
    t = await buildTestApp({ env: { HEALTH_RECOVERY_AFTER_FAILURES: '2' } });
    await authenticateAll(t.app);
    fake = await startFakeService();
    t.app.events.on('health.recovery', (event) => void recoveries.push(event));
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const create = async (payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/services', payload });
    expect(response.statusCode).toBe(201);
  };
  const checkEverything = () => Promise.all(t.app.health.list().map((state) => t.app.health.runNow(state.id)));
  const servicesReport = async () => {
    const response = await t.app.inject({ url: '/health/services' });
    expect(response.headers['content-type']).toMatch(/^application\/health\+json/);
    return response.json();
  };

  it('turns an HTTP service pass → fail → pass as its answers change, with latency and last error', async () => {
    await create({ name: 'flaky', type: 'http', url: fake.url, breakerCooldownMs: 60_000 });

    fake.answer = 200;
    expect((await t.app.health.runNow('flaky'))?.status).toBe('pass');
    let report = await servicesReport();
    expect(report.checks['flaky:responseTime'][0]).toMatchObject({
      status: 'pass',
      componentType: 'external',
      observedUnit: 'ms',
      observedValue: expect.any(Number),
    });
    expect(report.checks['flaky:statusCode'][0]).toMatchObject({ status: 'pass', observedValue: 200 });
    expect(report.checks['flaky:latency'][0]).toMatchObject({ observedUnit: 'ms', observedValue: expect.any(Number) });
    expect(report.checks['flaky:lastError']).toBeUndefined();

    fake.answer = 500;
    expect((await t.app.health.runNow('flaky'))?.status).toBe('fail');
    report = await servicesReport();
    expect(report.status).toBe('fail');
    expect(report.checks['flaky:responseTime'][0]).toMatchObject({ status: 'fail', output: 'HTTP 500, expected 200' });
    expect(report.checks['flaky:statusCode'][0]).toMatchObject({ status: 'fail', observedValue: 500 });

    fake.answer = 200;
    expect((await t.app.health.runNow('flaky'))?.status).toBe('pass');
    report = await servicesReport();
    expect(report.checks['flaky:responseTime'][0]).toMatchObject({ status: 'pass' });
    expect(report.checks['flaky:lastError'][0]).toMatchObject({ output: 'HTTP 500, expected 200', observedValue: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it('fails a TCP service on a closed port with the connection error', async () => {
    const port = await closedPort();
    await create({ name: 'queue', type: 'tcp', host: '127.0.0.1', port });
    expect((await t.app.health.runNow('queue'))?.status).toBe('fail');
    const report = await servicesReport();
    expect(report.checks['queue:responseTime'][0]).toMatchObject({
      status: 'fail',
      componentId: `127.0.0.1:${port}`,
      output: `connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    expect(report.output).toContain(`queue: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('fails an HTTP service that never answers within its timeout', async () => {
    const hung = await startFakeService('hang');
    try {
      await create({ name: 'hung', type: 'http', url: hung.url, timeoutMs: 200 });
      const state = await t.app.health.runNow('hung');
      expect(state).toMatchObject({ status: 'fail', output: 'check timed out after 200 ms' });
      expect((await servicesReport()).checks['hung:responseTime'][0]).toMatchObject({ status: 'fail', output: 'check timed out after 200 ms' });
      expect(hung.requests).toBe(1);
    } finally {
      await hung.close();
    }
  });

  it('degrades /health/status to warn, naming a failing non-critical service', async () => {
    await checkEverything();
    fake.answer = 503;
    await create({ name: 'optional', type: 'http', url: fake.url });
    await t.app.health.runNow('optional');
    const response = await t.app.inject({ url: '/health/status' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'warn', output: expect.stringContaining('optional: HTTP 503, expected 200') });
    expect((await t.app.inject({ url: '/health/readiness' })).json().output ?? '').not.toContain('optional');
  });

  it('fails readiness while a critical service fails', async () => {
    fake.answer = 200;
    await create({ name: 'payments', type: 'http', url: fake.url, critical: true });
    await checkEverything();
    expect((await t.app.inject({ url: '/health/readiness' })).statusCode).toBe(200);

    fake.answer = 503;
    await t.app.health.runNow('payments');
    const response = await t.app.inject({ url: '/health/readiness' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'fail', output: 'payments: HTTP 503, expected 200' });
    await t.app.inject({ method: 'DELETE', url: '/api/services/payments' });
  });

  it('opens the circuit breaker after repeated failures and closes it after a passing half-open trial', async () => {
    const service = await startFakeService(500);
    try {
      await create({ name: 'breaker', type: 'http', url: service.url, breakerCooldownMs: 60_000 });
      await t.app.health.runNow('breaker');
      await t.app.health.runNow('breaker'); // the second consecutive failure runs the recovery action
      expect(recoveries.filter((r) => r.component === 'breaker')).toEqual([
        expect.objectContaining({ action: 'open the circuit breaker', outcome: 'succeeded', detail: expect.stringContaining('half-open trial at') }),
      ]);
      expect(service.requests).toBe(2);

      // Open: the service is not called.
      const open = await t.app.health.runNow('breaker');
      expect(open).toMatchObject({ status: 'fail', output: expect.stringMatching(/^circuit open, next trial at \d{4}-/) });
      expect(service.requests).toBe(2);
      let report = await servicesReport();
      expect(report.checks['breaker:responseTime'][0]).toMatchObject({ status: 'fail', output: expect.stringMatching(/^circuit open, next trial at /) });

      // Past the cool-down one trial goes through; it fails, so the breaker opens again.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
      const failedTrial = await t.app.health.runNow('breaker');
      expect(failedTrial?.output).toMatch(/^HTTP 500, expected 200; half-open trial failed, circuit open again until /);
      expect(service.requests).toBe(3);
      expect((await t.app.health.runNow('breaker'))?.output).toMatch(/^circuit open/);
      expect(service.requests).toBe(3);

      // Another cool-down later the service answers again: the trial passes and closes the breaker.
      service.answer = 200;
      vi.setSystemTime(Date.now() + 61_000);
      expect((await t.app.health.runNow('breaker'))?.status).toBe('pass');
      expect(service.requests).toBe(4);
      report = await servicesReport();
      expect(report.checks['breaker:circuit'][0]).toMatchObject({ observedValue: 'closed', status: 'pass' });
      expect((await t.app.health.runNow('breaker'))?.status).toBe('pass');
      expect(service.requests).toBe(5);
    } finally {
      vi.useRealTimers();
      await service.close();
    }
  });
});
