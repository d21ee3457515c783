import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { healthResponseSchema } from '../contracts/health.ts';
import { buildTestApp, type TestApp } from './helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The probes answer from the last report while nothing it says has changed; these say when it
// must change.
describe('the probes answer from state', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.health.start();
  });
  afterAll(() => t.close());

  const readiness = () => t.app.inject({ url: '/health/readiness' });

  it('answers readiness again without reading the components while none has changed', async () => {
    const first = await readiness();
    const list = vi.spyOn(t.app.health, 'list');
    try {
      const again = await readiness();
      expect(list).not.toHaveBeenCalled();
      expect(again.statusCode).toBe(first.statusCode);
      expect(again.body).toBe(first.body);
      expect(again.headers['content-type']).toBe(first.headers['content-type']);
    } finally {
      list.mockRestore();
    }
  });

  it('changes readiness with the next run of a component, a component added or removed, and the drain', async () => {
    expect((await readiness()).statusCode).toBe(200);
    const before = (await readiness()).json().checks['database:responseTime'][0].time;
    await sleep(2);
    await t.app.health.runNow('database');
    const after = healthResponseSchema.parse((await readiness()).json());
    expect(after.checks['database:responseTime']![0]!.time).not.toBe(before);

    t.app.health.register({ id: 'gate', componentType: 'component', critical: true, check: async () => ({ status: 'fail', output: 'gate closed' }) });
    expect((await readiness()).json().output).toContain('gate: not checked yet');
    await t.app.health.runNow('gate');
    const closed = await readiness();
    expect(closed.statusCode).toBe(503);
    expect(closed.json().output).toContain('gate: gate closed');
    t.app.health.unregister('gate');
    expect((await readiness()).statusCode).toBe(200);

    t.app.lifecycle.draining = true;
    try {
      expect((await readiness()).json().output).toContain('draining');
    } finally {
      t.app.lifecycle.draining = false;
    }
    expect((await readiness()).statusCode).toBe(200);
  });

  it('dates each liveness answer at its request', async () => {
    const times: string[] = [];
    for (let i = 0; i < 3; i++) {
      const before = Date.now();
      const body = healthResponseSchema.parse((await t.app.inject({ url: '/health/liveness' })).json());
      const time = body.checks['eventLoop:delay']![0]!.time!;
      expect(Date.parse(time)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(time)).toBeLessThanOrEqual(Date.now());
      times.push(time);
      await sleep(3);
    }
    expect(new Set(times).size).toBe(3);
  });

  it('serves HEAD on the probes with the headers of GET and no body', async () => {
    for (const url of ['/health/liveness', '/health/readiness']) {
      const get = await t.app.inject({ url });
      const head = await t.app.inject({ method: 'HEAD', url });
      expect(head.statusCode).toBe(get.statusCode);
      expect(head.body).toBe('');
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(head.headers['cache-control']).toBe('no-store');
    }
  });
});
