/**
 * Dependencies made to fail by real means — a TCP proxy cut or frozen in front of PostgreSQL and
 * Redis, terminated backends, a lock, an exhausted pool, thresholds below real memory use — and
 * what the health system makes of it: the right component and overall status within the check's
 * timeout, readiness, recovery actions, transitions, and recovery when the dependency returns.
 */
import { Worker } from 'node:worker_threads';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_SCOPE } from '../contracts/tenancy.ts';
import type { HealthRecoveryEvent, HealthTransitionEvent } from '../server/platform/events/index.ts';
import { aggregateStatus } from '../server/modules/health/health-report.ts';
import { buildTestApp, buildTestAppBehindProxy, redisAvailability, signIn, testRedisUrl, uniqueName, type TestApp, type TestDatabase } from './helpers.ts';
import { proxyTo, type TcpProxy } from './tcp-proxy.ts';

const redis = redisAvailability();

/** Headers of a signed-in administrator, who may read every health report. */
async function readerHeaders(app: FastifyInstance): Promise<Record<string, string>> {
  return (await signIn(app, { role: 'admin' })).headers;
}

function recordEvents(app: FastifyInstance) {
  const transitions: HealthTransitionEvent[] = [];
  const recoveries: HealthRecoveryEvent[] = [];
  app.events.on('health.transition', (e) => void transitions.push(e));
  app.events.on('health.recovery', (e) => void recoveries.push(e));
  return { transitions, recoveries };
}

/** Runs every component's check once, so reports judge real results rather than "not checked yet". */
async function checkAll(app: FastifyInstance): Promise<void> {
  await Promise.all(app.health.list().map((state) => app.health.runNow(state.id)));
}

describe('PostgreSQL failing and coming back', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: pg.Client;
  let events: ReturnType<typeof recordEvents>;

  beforeAll(async () => {
    const behind = await buildTestAppBehindProxy({
      env: {
        DATABASE_POOL_MAX: '3',
        HEALTH_TIMEOUT_MS: '1000',
        HEALTH_INTERVAL_MS: '200',
        HEALTH_RECOVERY_AFTER_FAILURES: '3',
      },
    });
    ({ proxy, database } = behind);
    t = behind;
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    events = recordEvents(t.app);
  });
  afterEach(async () => {
    proxy.thaw();
    await proxy.restore();
    await vi.waitFor(async () => expect((await t.app.health.runNow('database'))?.status).toBe('pass'), { timeout: 20_000, interval: 200 });
    events.transitions.length = 0;
    events.recoveries.length = 0;
  });
  afterAll(async () => {
    await admin?.end();
    await t?.close();
  });

  const readiness = () => t.app.inject({ url: '/health/readiness' });
  // What /health/status reports, read from the monitor: over HTTP that report needs a signed-in
  // reader, and signing in needs the very database these tests take away.
  const overallStatus = () => aggregateStatus(t.app.health.list(), { degraded: true });

  it('fails the database, readiness and the overall status when PostgreSQL is unreachable, and passes again when it returns', async () => {
    await checkAll(t.app);
    expect(t.app.health.get('database')?.status).toBe('pass');
    expect(overallStatus()).not.toBe('fail');
    expect((await readiness()).statusCode).toBe(200);

    await proxy.cut();
    // runNow resolves with the live state: keep what this run said.
    const failed = { ...(await t.app.health.runNow('database')) };
    expect(failed.status).toBe('fail');
    expect(failed.output).toBeTruthy();

    const ready = await readiness();
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'fail', output: expect.stringContaining(`database: ${failed.output}`) });
    expect(overallStatus()).toBe('fail');
    // Liveness never touches a dependency.
    expect((await t.app.inject({ url: '/health/liveness' })).json().status).toBe('pass');

    await proxy.restore();
    await vi.waitFor(async () => expect((await t.app.health.runNow('database'))?.status).toBe('pass'), { timeout: 20_000, interval: 200 });
    expect((await readiness()).statusCode).toBe(200);
    const changes = events.transitions.filter((e) => e.component === 'database' && e.from !== undefined);
    expect(changes.map((e) => [e.from, e.to])).toEqual([
      ['pass', 'fail'],
      ['fail', 'pass'],
    ]);
    expect(changes[0]).toMatchObject({ critical: true, componentType: 'datastore', output: failed.output });
  });

  it("shows a signed-in administrator Watchkeeper's status while PostgreSQL is unreachable, from their last known rights, and refuses changes", async () => {
    const reader = await signIn(t.app, { role: 'admin' });
    const stranger = await signIn(t.app, { role: 'admin' });
    // A first request while the database is up: this is where the reader's rights are last seen.
    expect((await t.app.inject({ url: '/health/status', headers: reader.headers })).statusCode).not.toBe(401);

    await proxy.cut();
    await t.app.health.runNow('database');
    const status = await t.app.inject({ url: '/health/status', headers: reader.headers });
    expect(status.headers['content-type']).toContain('application/health+json');
    expect(status.json()).toMatchObject({ status: 'fail', checks: { 'database:responseTime': [expect.objectContaining({ status: 'fail' })] } });
    // Writes are never authorized from memory: they wait for the database.
    const write = await t.app.inject({ method: 'POST', url: '/api/auth/logout-everywhere', headers: reader.headers });
    expect(write.statusCode).toBe(503);
    expect(write.json().code).toBe('WK_ERR_DEPENDENCY_UNAVAILABLE');
    // Someone whose rights were never seen is not let in on trust.
    expect((await t.app.inject({ url: '/health/status', headers: stranger.headers })).statusCode).toBe(503);
    expect((await t.app.inject({ url: '/health/status', headers: stranger.headers })).headers['content-type']).toContain('application/problem+json');
  });

  it('serves an API key its reads while PostgreSQL is unreachable, but not a key revoked before the outage', async () => {
    const owner = await signIn(t.app, { role: 'owner' });
    const created = async () =>
      (
        await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: owner.headers, payload: { name: uniqueName('monitor'), scopes: ['health:read'] } })
      ).json() as { id: string; key: string };
    const monitor = await created();
    const retired = await created();
    for (const { key } of [monitor, retired])
      expect((await t.app.inject({ url: '/health/status', headers: { authorization: `Bearer ${key}` } })).statusCode).not.toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${retired.id}`, headers: owner.headers })).statusCode).toBe(204);

    await proxy.cut();
    await t.app.health.runNow('database');
    const status = await t.app.inject({ url: '/health/status', headers: { authorization: `Bearer ${monitor.key}` } });
    expect(status.headers['content-type']).toContain('application/health+json');
    expect(status.json().status).toBe('fail');
    const refused = await t.app.inject({ url: '/health/status', headers: { authorization: `Bearer ${retired.key}` } });
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().code).toBe('WK_ERR_DEPENDENCY_UNAVAILABLE');
  });

  it('turns readiness to 503 on its own schedule, within the check timeout, and back to 200', async () => {
    await t.app.health.start();
    try {
      await proxy.cut();
      await vi.waitFor(async () => expect((await readiness()).statusCode).toBe(503), { timeout: 10_000, interval: 50 });
      await proxy.restore();
      await vi.waitFor(async () => expect((await readiness()).statusCode).toBe(200), { timeout: 20_000, interval: 50 });
    } finally {
      await t.app.health.stop();
    }
  });

  it('fails when PostgreSQL stops answering, bounded by the timeout, while every endpoint still answers', async () => {
    await t.app.health.runNow('database');
    proxy.freeze();
    const check = t.app.health.runNow('database')!;
    // The check is hanging on the frozen connection; the probes' endpoints do not wait for it.
    expect((await readiness()).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/health/liveness' })).statusCode).toBe(200);
    expect(await check).toMatchObject({ status: 'fail', output: 'check timed out after 1000 ms' });
    expect((await readiness()).statusCode).toBe(503);
    // Its `SELECT 1` went unanswered: requests stop waiting on the server too, until it answers.
    expect(t.app.database.pool.circuit).toBe('open');
    await expect(t.app.database.db.selectFrom('external_services').select('name').execute()).rejects.toThrow(/PostgreSQL is not answering \(circuit open\)/);
    proxy.thaw();
    await vi.waitFor(async () => expect((await t.app.health.runNow('database'))?.status).toBe('pass'), { timeout: 10_000, interval: 100 });
    expect(t.app.database.pool.circuit).toBe('closed');
  });

  it('gets its connections back after the server terminated them (pg_terminate_backend)', async () => {
    await t.app.health.runNow('database');
    const { rows } = await admin.query<{ terminated: boolean }>(
      "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND application_name = 'watchkeeper'",
      [database.name],
    );
    expect(rows.length).toBeGreaterThan(0);
    await vi.waitFor(async () => expect((await t.app.health.runNow('database'))?.status).toBe('pass'), { timeout: 10_000, interval: 100 });
    expect(t.app.database.poolStats().total).toBeGreaterThan(0);
  });

  it('fails within its timeout when its query is blocked by a lock, without keeping a connection, and passes once the lock goes', async () => {
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE kysely_migration IN ACCESS EXCLUSIVE MODE');
    try {
      for (let run = 0; run < 3; run++) {
        expect(await t.app.health.runNow('database')).toMatchObject({ status: 'fail', output: 'check timed out after 1000 ms' });
      }
      // A lock is not a silent server: everything else still reaches it.
      expect(t.app.database.pool.circuit).toBe('closed');
      // The blocked query gave its connection up with the check: nothing of the pool is held.
      await vi.waitFor(() => {
        const pool = t.app.database.poolStats();
        expect(pool.total - pool.idle).toBe(0);
      });
    } finally {
      await admin.query('ROLLBACK');
    }
    expect((await t.app.health.runNow('database'))?.status).toBe('pass');
  });

  it('fails when the pool is exhausted, and reconnecting the pool — its recovery action — restores it', async () => {
    const held = await Promise.all(Array.from({ length: 3 }, () => t.app.database.pool.connect()));
    try {
      for (let run = 1; run <= 3; run++) {
        expect(await t.app.health.runNow('database')).toMatchObject({ status: 'fail', consecutiveFailures: run });
      }
      expect(events.recoveries).toEqual([
        {
          component: 'database',
          scope: SYSTEM_SCOPE,
          action: 'reconnect the database pool',
          outcome: 'succeeded',
          detail: expect.stringMatching(/^replaced the connection pool with a fresh one/),
          at: expect.any(Date),
        },
      ]);
      // The leak is still there, but the app has a working pool again.
      expect((await t.app.health.runNow('database'))?.status).toBe('pass');
    } finally {
      held.forEach((client) => client.release());
    }
  });

  it('reconnects the pool after repeated failures when PostgreSQL is away, then recovers when it returns', async () => {
    await proxy.cut();
    for (let run = 0; run < 3; run++) await t.app.health.runNow('database');
    expect(events.recoveries).toMatchObject([{ component: 'database', action: 'reconnect the database pool', outcome: 'succeeded' }]);
    expect(t.app.health.get('database')?.status).toBe('fail');
    await proxy.restore();
    await vi.waitFor(async () => expect((await t.app.health.runNow('database'))?.status).toBe('pass'), { timeout: 20_000, interval: 200 });
  });
});

describe('PostgreSQL slowing down', () => {
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    // Its own app: the latency baseline is the history of this app's checks alone.
    const behind = await buildTestAppBehindProxy({
      env: {
        HEALTH_DEGRADATION_FACTOR: '3',
      },
    });
    ({ proxy } = behind);
    t = behind;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('warns, saying so, while PostgreSQL answers far slower than its own baseline, and passes when it is fast again', async () => {
    const { transitions } = recordEvents(t.app);
    for (let run = 0; run < 30; run++) expect((await t.app.health.runNow('database'))?.status).toBe('pass');
    proxy.setLatency(100);
    try {
      for (let run = 0; run < 10; run++) await t.app.health.runNow('database');
      const slow = t.app.health.get('database');
      expect(slow?.status).toBe('warn');
      expect(slow?.output).toMatch(/^latency degraded: p95 \d+\.\d ms over the last 10 checks is \d+\.\d× the baseline p95 of \d+\.\d ms$/);
      // Slow is not down: readiness still passes, reporting the warning.
      const ready = await t.app.inject({ url: '/health/readiness' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().status).toBe('warn');
      expect(transitions.filter((e) => e.component === 'database').map((e) => [e.from, e.to])).toContainEqual(['pass', 'warn']);
    } finally {
      proxy.setLatency(0);
    }
    for (let run = 0; run < 10; run++) await t.app.health.runNow('database');
    expect(t.app.health.get('database')).toMatchObject({ status: 'pass', degradation: undefined });
  });
});

describe.skipIf(!redis.available)(`Redis failing and coming back ${redis.reason}`, () => {
  let proxy: TcpProxy;
  let t: TestApp;
  let headers: Record<string, string>;
  let events: ReturnType<typeof recordEvents>;

  beforeAll(async () => {
    proxy = await proxyTo(testRedisUrl()!);
    t = await buildTestApp({
      env: {
        REDIS_URL: proxy.url(testRedisUrl()!),
        CACHE_KEY_PREFIX: `${uniqueName('wk_test')}:`,
        HEALTH_TIMEOUT_MS: '1000',
        HEALTH_RECOVERY_AFTER_FAILURES: '3',
      },
    });
    headers = await readerHeaders(t.app);
    events = recordEvents(t.app);
  });
  afterEach(async () => {
    proxy.thaw();
    await proxy.restore();
    await vi.waitFor(async () => expect((await t.app.health.runNow('cache'))?.status).toBe('pass'), { timeout: 20_000, interval: 200 });
    events.transitions.length = 0;
    events.recoveries.length = 0;
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
  });

  it('degrades to warn (200) naming the cache when Redis is unreachable, readiness unaffected, and passes when it returns', async () => {
    await checkAll(t.app);
    expect(t.app.health.get('cache')?.status).toBe('pass');
    await proxy.cut();
    const failed = { ...(await t.app.health.runNow('cache')) };
    expect(failed.status).toBe('fail');

    const overall = await t.app.inject({ url: '/health/status', headers });
    expect(overall.statusCode).toBe(200);
    expect(overall.json()).toMatchObject({ status: 'warn', output: expect.stringContaining(`cache: ${failed.output}`) });
    expect(overall.json().checks['cache:responseTime'][0].status).toBe('fail');
    const cacheReport = await t.app.inject({ url: '/health/cache', headers });
    expect(cacheReport.statusCode).toBe(503);
    expect((await t.app.inject({ url: '/health/readiness' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/health/liveness' })).json().status).toBe('pass');

    await proxy.restore();
    await vi.waitFor(async () => expect((await t.app.health.runNow('cache'))?.status).toBe('pass'), { timeout: 20_000, interval: 200 });
    const changes = events.transitions.filter((e) => e.component === 'cache' && e.from !== undefined);
    expect(changes.map((e) => [e.from, e.to])).toEqual([
      ['pass', 'fail'],
      ['fail', 'pass'],
    ]);
    expect(changes[0]).toMatchObject({ critical: false, output: failed.output });
  });

  it('fails within the timeout when Redis stops answering, and recreating the client — its recovery action — gets it back', async () => {
    await t.app.health.runNow('cache');
    proxy.freeze();
    // Bounded by the command timeout (REDIS_COMMAND_TIMEOUT_MS, 500 ms), under the check's own.
    expect(await t.app.health.runNow('cache')).toMatchObject({ status: 'fail', output: 'Command timed out' });
    // The circuit is open: PING is not sent again to a Redis that stopped answering.
    expect((await t.app.health.runNow('cache'))?.output).toMatch(/circuit open/);
    await t.app.health.runNow('cache');
    expect(events.recoveries).toEqual([
      {
        component: 'cache',
        scope: SYSTEM_SCOPE,
        action: 'recreate the cache client',
        outcome: 'succeeded',
        detail: 'disconnected and recreated the Redis client',
        at: expect.any(Date),
      },
    ]);
    proxy.thaw();
    await vi.waitFor(async () => expect((await t.app.health.runNow('cache'))?.status).toBe('pass'), { timeout: 20_000, interval: 200 });
  });
});

describe('memory pressure', () => {
  let t: TestApp;
  let headers: Record<string, string>;

  beforeAll(async () => {
    // Thresholds below what any process uses: the real heap reading is over them.
    t = await buildTestApp({ env: { HEALTH_MEMORY_WARN_PERCENT: '0', HEALTH_MEMORY_FAIL_PERCENT: '0', HEALTH_RECOVERY_AFTER_FAILURES: '2' } });
    headers = await readerHeaders(t.app);
  });
  afterAll(() => t?.close());

  it('fails memory, degrades the overall status to warn naming it, and drops in-process caches after repeated failures', async () => {
    const { recoveries } = recordEvents(t.app);
    await t.app.cache.set('a', 1);
    await t.app.cache.set('b', 2);
    await checkAll(t.app);
    expect(t.app.health.get('memory')).toMatchObject({
      status: 'fail',
      output: expect.stringMatching(/^heap at \d+\.\d% of its \d+ MiB limit \(warn 0%, fail 0%\)$/),
    });

    const overall = await t.app.inject({ url: '/health/status', headers });
    expect(overall.statusCode).toBe(200);
    expect(overall.json()).toMatchObject({ status: 'warn', output: expect.stringContaining('memory: heap at') });
    const memory = await t.app.inject({ url: '/health/memory', headers });
    expect(memory.statusCode).toBe(503);
    expect(memory.headers['content-type']).toMatch(/^application\/health\+json/);
    expect(memory.headers['cache-control']).toBe('no-store');
    expect(memory.json()).toMatchObject({ status: 'fail', checks: { 'memory:heap': [{ status: 'fail', observedUnit: 'bytes' }] } });
    expect((await t.app.inject({ url: '/health/readiness' })).statusCode).toBe(200);
    expect(recoveries).toEqual([]);
    expect(await t.app.cache.get('a')).toBe(1);

    await t.app.health.runNow('memory');
    expect(recoveries).toEqual([
      {
        component: 'memory',
        scope: SYSTEM_SCOPE,
        action: 'drop in-process caches',
        outcome: 'succeeded',
        detail: expect.stringMatching(/^dropped \d+ in-process cache entries$/),
        at: expect.any(Date),
      },
    ]);
    expect(await t.app.cache.get('a')).toBeUndefined();
    expect(await t.app.cache.get('b')).toBeUndefined();

    const onDemand = await t.app.inject({ method: 'POST', url: '/health/test/memory', headers });
    expect(onDemand.statusCode).toBe(503);
    expect(onDemand.json()).toMatchObject({ status: 'fail', description: 'on-demand check of memory' });
  });
});

describe('liveness', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await buildTestApp({ env: { HEALTH_EVENT_LOOP_STALL_MS: '300' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/health/liveness`;
  });
  afterAll(() => t?.close());

  it('fails for a request that waited behind an event loop stalled past HEALTH_EVENT_LOOP_STALL_MS', async () => {
    // The prober runs on its own thread, so its request arrives while this loop is blocked.
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       parentPort.on('message', async () => {
         await new Promise((r) => setTimeout(r, 100));
         const response = await fetch(workerData.url);
         parentPort.postMessage({ status: response.status, body: await response.json() });
       });
       parentPort.postMessage('ready');`,
      { eval: true, workerData: { url } },
    );
    try {
      const answers: Array<{ status: number; body: { status: string; output?: string } }> = [];
      const next = () => new Promise<{ status: number; body: { status: string; output?: string } }>((resolve) => worker.once('message', resolve));
      await next(); // ready
      expect((await fetch(url)).status).toBe(200);

      const answer = next();
      worker.postMessage('probe');
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          const end = performance.now() + 800;
          while (performance.now() < end) {
            // a runaway synchronous computation
          }
          resolve();
        }, 0),
      );
      answers.push(await answer);
      expect(answers[0]).toMatchObject({
        status: 503,
        body: { status: 'fail', output: expect.stringMatching(/^event loop was blocked for \d+ ms moments ago \(threshold 300 ms\)$/) },
      });
    } finally {
      await worker.terminate();
    }
  });
});
