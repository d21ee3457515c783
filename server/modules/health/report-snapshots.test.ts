/**
 * The full reports' answers kept between changes (read-snapshots.ts) as the routes use them: a
 * change shows up once the window has passed, never later, and draining at once. Driven by a clock
 * of the test's own through the routes alone (no authentication or other plugin is involved).
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLoopMonitor } from './event-loop-monitor.ts';
import { quietHealthMonitor } from './test-monitor.ts';
import { healthRoutes } from './health.routes.ts';

const apps: Array<{ close: () => Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function reportsApp({ coalesceFrom }: { coalesceFrom: number }) {
  const { monitor } = quietHealthMonitor();
  const statuses = new Map<string, 'pass' | 'fail'>([
    ['api', 'pass'],
    ['queue', 'pass'],
  ]);
  for (const id of statuses.keys()) {
    monitor.register({
      id,
      componentType: 'component',
      critical: false,
      groups: ['services'],
      check: async () => ({ status: statuses.get(id)!, ...(statuses.get(id) === 'fail' ? { output: `${id} is down` } : {}) }),
    });
    await monitor.runNow(id);
  }
  let now = 1_000_000;
  let draining = false;
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(healthRoutes, {
    monitor,
    loop: new EventLoopMonitor({ stallMemoryMs: 10_000 }),
    identity: { version: '1.0.0', releaseId: 'test', serviceId: 'watchkeeper' },
    stallMs: 1_000,
    isDraining: () => draining,
    startedAt: new Date(now),
    snapshots: { windowMs: 1_000, coalesceFrom, now: () => now },
  });
  apps.push(app);
  return {
    app,
    /** Sets a component's next result and runs its check. */
    turn: async (id: string, status: 'pass' | 'fail') => {
      statuses.set(id, status);
      await monitor.runNow(id);
    },
    advance: (ms: number) => void (now += ms),
    drain: () => void (draining = true),
  };
}

const statusOf = (body: string, id: string) =>
  (JSON.parse(body) as { checks: Record<string, Array<{ status: string }>> }).checks[`${id}:responseTime`]?.[0]?.status;

describe('kept report answers', () => {
  it('show a component that turned failing once the window has passed, and until then the answer of before', async () => {
    const { app, turn, advance } = await reportsApp({ coalesceFrom: 1 });
    for (const url of ['/health/services', '/health/services?status=fail', '/health/services?limit=1']) {
      const before = await app.inject({ url });
      expect(before.statusCode, url).toBe(200);
      await turn('api', 'fail');
      advance(999);
      // Inside the window: the answer built before the change, byte for byte and with its ETag.
      const within = await app.inject({ url });
      expect(within.body, url).toBe(before.body);
      expect(within.headers.etag, url).toBe(before.headers.etag);
      advance(1);
      // The window is over: the change is in the report, whatever was kept.
      const after = await app.inject({ url });
      expect(after.statusCode, url).toBe(503);
      expect(statusOf(after.body, 'api'), url).toBe('fail');
      expect(after.headers.etag, url).not.toBe(before.headers.etag);
      await turn('api', 'pass');
      advance(1_000);
    }
  });

  it('say so at once when the instance starts draining', async () => {
    const { app, drain } = await reportsApp({ coalesceFrom: 1 });
    expect((await app.inject({ url: '/health/status' })).statusCode).toBe(200);
    drain();
    const draining = await app.inject({ url: '/health/status' });
    expect(draining.statusCode).toBe(503);
    expect(draining.json().status).toBe('fail');
  });

  it('are always current below the size from which answers are kept', async () => {
    const { app, turn } = await reportsApp({ coalesceFrom: 1_000 });
    expect(statusOf((await app.inject({ url: '/health/status' })).body, 'queue')).toBe('pass');
    await turn('queue', 'fail');
    expect(statusOf((await app.inject({ url: '/health/status' })).body, 'queue')).toBe('fail');
  });

  it('answer 304 to the ETag of the kept answer, and the rebuilt report once it changed', async () => {
    const { app, turn, advance } = await reportsApp({ coalesceFrom: 1 });
    const first = await app.inject({ url: '/health/services', headers: { 'accept-encoding': 'gzip' } });
    const etag = first.headers.etag as string;
    await turn('queue', 'pass');
    const kept = await app.inject({ url: '/health/services', headers: { 'accept-encoding': 'gzip', 'if-none-match': etag } });
    expect(kept.statusCode).toBe(304);
    advance(1_000);
    const changed = await app.inject({ url: '/health/services', headers: { 'accept-encoding': 'gzip', 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers['content-encoding']).toBe('gzip');
  });

  it('keep one answer per report and narrowing, whatever else the URL carries', async () => {
    const { app, turn } = await reportsApp({ coalesceFrom: 1 });
    const first = await app.inject({ url: '/health/services?limit=1&utm=a' });
    await turn('api', 'fail');
    // Another spelling of the same read, inside the window: the same kept answer.
    const second = await app.inject({ url: '/health/services?utm=b&limit=1' });
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.json().links.next).toMatch(/^\/health\/services\?limit=1&cursor=[\w-]+$/);
  });
});
