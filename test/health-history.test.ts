import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthHistoryResponseSchema, type HealthStatus } from '../contracts/health.ts';
import { SYSTEM_SCOPE } from '../contracts/tenancy.ts';
import type { ProbeDefinition } from '../server/modules/health/index.ts';
import { buildTestApp, createTestDatabase, signIn, type SignedInUser, type TestApp } from './helpers.ts';

/** A probe that answers the given statuses in turn (then repeats the last). */
function scriptedProbe(id: string, statuses: HealthStatus[]): ProbeDefinition {
  let run = 0;
  return {
    id,
    componentType: 'component',
    critical: false,
    check: async () => {
      const status = statuses[Math.min(run++, statuses.length - 1)]!;
      return { status, output: status === 'pass' ? undefined : `${id} is ${status}` };
    },
  };
}

async function runChecks(t: TestApp, id: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await t.app.health.runNow(id);
  await t.app.healthHistory.recorder!.flush();
}

describe('GET /health/history', () => {
  let t: TestApp;
  let viewer: SignedInUser;
  beforeAll(async () => {
    t = await buildTestApp();
    viewer = await signIn(t.app, { role: 'viewer' });
  });
  afterAll(() => t.close());

  const history = async (query: string) => {
    const response = await t.app.inject({ url: `/health/history?${query}`, headers: viewer.headers });
    return { response, body: response.json() };
  };

  it('stores every check result and every state change', async () => {
    t.app.health.register(scriptedProbe('flaky', ['pass', 'fail', 'fail', 'pass']));
    await runChecks(t, 'flaky', 4);

    const { response, body } = await history('component=flaky');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const parsed = healthHistoryResponseSchema.parse(body);
    expect(parsed.samples.map((s) => s.status)).toEqual(['pass', 'fail', 'fail', 'pass']);
    expect(parsed.components).toHaveLength(1);
    expect(parsed.components[0]).toMatchObject({ component: 'flaky', samples: 4, uptimePercent: 50, latencyExact: true });
    expect(parsed.components[0]?.latencyMs.p50).toEqual(expect.any(Number));
    expect(parsed.components[0]?.stateChanges.map(({ from, to, output }) => ({ from, to, output }))).toEqual([
      { from: null, to: 'pass', output: null },
      { from: 'pass', to: 'fail', output: 'flaky is fail' },
      { from: 'fail', to: 'pass', output: null },
    ]);
    expect(parsed.nextCursor).toBeNull();
  });

  it('lists every monitored component when no component is named, checked or not', async () => {
    const { body } = await history('');
    const names = healthHistoryResponseSchema.parse(body).components.map((c) => c.component);
    expect(names).toEqual(expect.arrayContaining(['database', 'cache', 'memory', 'disk', 'flaky']));
    expect(body.components.find((c: { component: string }) => c.component === 'database')).toMatchObject({ samples: 0, uptimePercent: null });
  });

  it('defaults to the last 24 hours', async () => {
    const { body } = await history('');
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * 3_600_000);
  });

  it('pages through the window with a cursor, returning every sample exactly once', async () => {
    const start = Date.now() - 3_600_000;
    // Pairs of samples share a timestamp, so pages must not split on time alone.
    await t.app.healthHistory.repository.insertSamples(
      Array.from({ length: 23 }, (_, i) => ({
        component: 'paged',
        scope: SYSTEM_SCOPE,
        status: 'pass' as const,
        latencyMs: i,
        output: undefined,
        checkedAt: new Date(start + Math.floor(i / 2) * 1000),
      })),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { response, body }: { response: { statusCode: number }; body: { samples: Array<{ id: string }>; nextCursor: string | null } } = await history(
        `component=paged&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.statusCode).toBe(200);
      seen.push(...body.samples.map((s) => s.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
  });

  it('answers a component that is neither monitored nor in history with a 404 problem', async () => {
    const { response, body } = await history('component=nope');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({ status: 404, code: 'WK_ERR_HEALTH_COMPONENT_NOT_FOUND' });
  });

  it('serves a component that is no longer monitored but has history', async () => {
    t.app.health.register(scriptedProbe('retired', ['warn']));
    await runChecks(t, 'retired', 2);
    t.app.health.unregister('retired');
    const { response, body } = await history('component=retired');
    expect(response.statusCode).toBe(200);
    expect(body.components[0]).toMatchObject({ component: 'retired', samples: 2, uptimePercent: 100 });
  });

  it('tells the latency baseline a monitored component is judged against, and none before it forms or once it is retired', async () => {
    t.app.health.register(scriptedProbe('steady', ['pass']));
    await runChecks(t, 'steady', 5);
    expect((await history('component=steady')).body.components[0].latencyBaseline).toBeNull();
    await runChecks(t, 'steady', 10);
    const baseline = healthHistoryResponseSchema.parse((await history('component=steady')).body).components[0]!.latencyBaseline;
    expect(baseline).toMatchObject({ samples: 5, judging: false, p95Ms: expect.any(Number) });
    expect(baseline!.thresholdMs).toBeGreaterThan(baseline!.p95Ms);
    expect((await history('')).body.components.find((c: { component: string }) => c.component === 'steady').latencyBaseline).toEqual(baseline);
    t.app.health.unregister('steady');
    expect((await history('component=steady')).body.components[0].latencyBaseline).toBeNull();
  });

  it.each([
    ['a date that is not ISO 8601', 'from=yesterday', '/query/from'],
    ['a day the calendar does not have', 'from=2023-02-30T00:00:00Z', '/query/from'],
    ['a date-time without a time zone', 'to=2025-01-01T00:00:00', '/query/to'],
    ['a year the database cannot store', 'to=-271821-04-20T00:00:00Z', '/query/to'],
    ['`from` after `to`', 'from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z', '/query/from'],
    ['a negative limit', 'limit=-1', '/query/limit'],
    ['a zero limit', 'limit=0', '/query/limit'],
    ['a huge limit', 'limit=100000', '/query/limit'],
    ['a fractional limit', 'limit=2.5', '/query/limit'],
    ['a limit that is not a number', 'limit=many', '/query/limit'],
    ['a cursor that is not base64url', 'cursor=%2B%2F%3D%3D', '/query/cursor'],
    ['a cursor this endpoint did not issue', `cursor=${Buffer.from('{"id":1}').toString('base64url')}`, '/query/cursor'],
    ['an empty component', 'component=', '/query/component'],
    ['a component with a NUL byte', 'component=a%00b', '/query/component'],
  ])('answers %s with a 400 problem naming the field', async (_name, query, pointer) => {
    const { response, body } = await history(query);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({ status: 400, code: 'WK_ERR_VALIDATION' });
    expect(body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
  });

  it('accepts a plain date and a zone offset', async () => {
    const { response, body } = await history('from=2025-01-01&to=2025-01-02T01:00:00%2B01:00');
    expect(response.statusCode).toBe(200);
    expect(body).toMatchObject({ from: '2025-01-01T00:00:00.000Z', to: '2025-01-02T00:00:00.000Z' });
  });

  it('asks who is reading', async () => {
    const response = await t.app.inject({ url: '/health/history' });
    expect(response.statusCode).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await t.app.inject({ url: '/docs/json' })).json();
    const parameters = document.paths['/health/history'].get.parameters.map((p: { name: string }) => p.name);
    expect(parameters).toEqual(expect.arrayContaining(['component', 'from', 'to', 'limit', 'cursor']));
  });
});

describe('health history across a restart', () => {
  it('is still there when the app starts again on the same database', async () => {
    const database = await createTestDatabase();
    try {
      const first = await buildTestApp({ database });
      try {
        first.app.health.register(scriptedProbe('durable', ['pass', 'fail']));
        await first.app.health.runNow('durable');
        await first.app.health.runNow('durable');
      } finally {
        // No explicit flush: closing the app writes what the recorder still buffers.
        await first.close();
      }

      const second = await buildTestApp({ database });
      try {
        const { headers } = await signIn(second.app, { role: 'viewer' });
        const response = await second.app.inject({ url: '/health/history?component=durable', headers });
        expect(response.statusCode).toBe(200);
        const body = healthHistoryResponseSchema.parse(response.json());
        expect(body.samples.map((s) => s.status)).toEqual(['pass', 'fail']);
        expect(body.components[0]).toMatchObject({ samples: 2, uptimePercent: 50 });
        expect(body.components[0]?.stateChanges.map((c) => c.to)).toEqual(['pass', 'fail']);
      } finally {
        await second.close();
      }
    } finally {
      await database.drop();
    }
  });

  it('records nothing when history is switched off, and still serves what is stored', async () => {
    const t = await buildTestApp({ env: { HEALTH_HISTORY_ENABLED: 'false' } });
    try {
      expect(t.app.healthHistory.recorder).toBeUndefined();
      await t.app.health.runNow('database');
      const { headers } = await signIn(t.app, { role: 'viewer' });
      const response = await t.app.inject({ url: '/health/history?component=database', headers });
      expect(response.statusCode).toBe(200);
      expect(response.json().components[0]).toMatchObject({ component: 'database', samples: 0 });
    } finally {
      await t.close();
    }
  });
});
