/**
 * Load shedding over real HTTP: an overloaded process refuses API requests at once with 503
 * problem+json `WK_ERR_OVERLOADED` and Retry-After, while the liveness and readiness probes keep
 * answering, and serves again once the pressure is gone. Pressure is made by real means: a heap
 * threshold every process exceeds, an event loop blocked by a busy loop, and requests queued for
 * database connections held by queries a PostgreSQL lock blocks.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function listen(env: Record<string, string>): Promise<string> {
  t = await buildTestApp({ env, startHealthChecks: true });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** Asks `url` until it answers `status` (under-pressure samples once a second); the last answer. */
async function until(url: string, status: number, attempts = 150): Promise<Response> {
  let response = await fetch(url);
  for (let i = 1; i < attempts && response.status !== status; i++) {
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 100));
    response = await fetch(url);
  }
  return response;
}

function blockEventLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Busy: nothing else runs, which is the point.
  }
}

describe('load shedding', () => {
  it('answers an API request 503 problem+json WK_ERR_OVERLOADED with Retry-After while the heap is over its threshold, and still answers liveness and readiness', async () => {
    // A threshold of a few kilobytes: every sample after the first is over it.
    const url = await listen({ LOAD_SHED_MAX_HEAP_USED_PERCENT: '0.0001', LOAD_SHED_RETRY_AFTER_SECONDS: '3' });
    const refused = await until(`${url}/api/services`, 503);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff'); // the security headers still apply
    expect(await refused.json()).toMatchObject({ status: 503, code: 'WK_ERR_OVERLOADED', instance: '/api/services' });

    // Still under pressure (the heap never shrinks below a few KB): the probes are exempt, the reports are not.
    const status = await fetch(`${url}/health/status`);
    expect(status.status).toBe(503);
    expect(((await status.json()) as { code: string }).code).toBe('WK_ERR_OVERLOADED');
    const liveness = await fetch(`${url}/health/liveness`);
    expect(liveness.status).toBe(200);
    // Readiness passes once the first health checks have run; it is never refused meanwhile.
    const readiness = await until(`${url}/health/readiness`, 200);
    expect(readiness.status).toBe(200);
    expect((await fetch(`${url}/api/services`)).status).toBe(503);

    const metrics = await t!.app.metrics.getSingleMetricAsString('watchkeeper_load_shed_requests_total');
    expect(metrics).toMatch(/reason="heapUsedBytes"} [1-9]/);
  }, 60_000);

  it('sheds after the event loop was blocked, keeps liveness answering, and serves again once the loop keeps up', async () => {
    const url = await listen({ LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '5' });
    // Not shed while idle: an unauthenticated API request is refused for what it is, 401.
    expect((await until(`${url}/api/services`, 401)).status).toBe(401);

    // The sample due during the block is taken right after it, before these requests are read.
    blockEventLoop(1_500);
    const refused = await fetch(`${url}/api/services`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(((await refused.json()) as { code: string }).code).toBe('WK_ERR_OVERLOADED');
    expect((await fetch(`${url}/health/liveness`)).status).toBe(200);

    const recovered = await until(`${url}/api/services`, 401);
    expect(recovered.status).toBe(401);
  }, 60_000);

  it('sheds while requests queue for a database connection, and serves again once the queue drains', async () => {
    const url = await listen({ LOAD_SHED_MAX_DATABASE_WAITING: '2', DATABASE_POOL_MAX: '2', RATE_LIMIT_AUTH_POINTS: '1000' });
    const admin = new pg.Client({ connectionString: t!.database.url });
    await admin.connect();
    try {
      // Every sign-in looks its user up: behind the lock each holds a connection or queues for one.
      await admin.query('BEGIN');
      await admin.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const signIns = Array.from({ length: 8 }, () =>
        fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'nobody@example.com', password: 'not-a-password-1234' }),
        }).then((response) => response.arrayBuffer()),
      );
      const refused = await until(`${url}/api/services`, 503);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(await refused.json()).toMatchObject({ code: 'WK_ERR_OVERLOADED', detail: expect.stringMatching(/waiting for a database connection/) });
      expect((await fetch(`${url}/health/liveness`)).status).toBe(200);

      await admin.query('ROLLBACK');
      await Promise.all(signIns);
      expect((await until(`${url}/api/services`, 401)).status).toBe(401);
    } finally {
      await admin.end();
    }
  }, 60_000);
});
