/**
 * /api/services through the app: the CRUD contract and its status codes, validation, services
 * from the config file, and several instances converging on the stored services.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listServicesReplies } from '../server/modules/services/services.schemas.ts';
import { startFakeService, type FakeService } from './fake-services.ts';
import { authenticateAll, buildTestApp, createTestDatabase, type TestApp } from './helpers.ts';

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status, code });
}

describe('external services API', () => {
  let t: TestApp;
  let fake: FakeService;
  beforeAll(async () => {
    t = await buildTestApp();
    await authenticateAll(t.app);
    fake = await startFakeService();
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('creates, reads, replaces and deletes a service, keeping its probe in step', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/services', payload: { name: 'billing', type: 'http', url: fake.url } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/api/services/billing');
    expect(created.json()).toMatchObject({
      name: 'billing',
      type: 'http',
      url: fake.url,
      method: 'GET',
      expectedStatus: [200],
      critical: false,
      source: 'api',
      createdAt: expect.any(String),
    });
    expect(t.app.health.probe('billing')).toMatchObject({ componentType: 'external', groups: ['services'] });

    const list = await t.app.inject({ url: '/api/services' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((s: { name: string }) => s.name)).toContain('billing');

    expect((await t.app.inject({ url: '/api/services/billing' })).json()).toMatchObject({ name: 'billing', source: 'api' });

    const replaced = await t.app.inject({
      method: 'PUT',
      url: '/api/services/billing',
      payload: { type: 'http', url: fake.url, method: 'HEAD', expectedStatus: [200, 204], critical: true },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ name: 'billing', method: 'HEAD', expectedStatus: [200, 204], critical: true });
    expect(t.app.health.probe('billing')).toMatchObject({ critical: true, componentId: `HEAD ${fake.url}` });

    const deleted = await t.app.inject({ method: 'DELETE', url: '/api/services/billing' });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect(t.app.health.has('billing')).toBe(false);
    expectProblem(await t.app.inject({ url: '/api/services/billing' }), 404, 'WK_ERR_SERVICE_NOT_FOUND');
  });

  it('records every change to a service in the audit log as a configuration change', async () => {
    await t.app.inject({ method: 'POST', url: '/api/services', payload: { name: 'audited', type: 'tcp', host: '127.0.0.1', port: 5432 } });
    await t.app.inject({ method: 'PUT', url: '/api/services/audited', payload: { type: 'tcp', host: '127.0.0.1', port: 6379 } });
    await t.app.inject({ method: 'DELETE', url: '/api/services/audited' });
    const rows = await t.app.database.pool.query<{ action: string; outcome: string; actor_type: string }>(
      "SELECT action, outcome, actor_type FROM audit_log WHERE target_type = 'service' AND target_label = 'audited' ORDER BY seq",
    );
    expect(rows.rows).toEqual([
      { action: 'service.create', outcome: 'success', actor_type: 'user' },
      { action: 'service.update', outcome: 'success', actor_type: 'user' },
      { action: 'service.delete', outcome: 'success', actor_type: 'user' },
    ]);
  });

  it('replaces an HTTP service with a TCP one under the same name', async () => {
    await t.app.inject({ method: 'POST', url: '/api/services', payload: { name: 'switcher', type: 'http', url: fake.url } });
    const replaced = await t.app.inject({
      method: 'PUT',
      url: '/api/services/switcher',
      payload: { name: 'switcher', type: 'tcp', host: '127.0.0.1', port: 5432 },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).not.toHaveProperty('url');
    expect(t.app.health.probe('switcher')?.componentId).toBe('127.0.0.1:5432');
  });

  it.each([
    ['a malformed URL', { name: 'x', type: 'http', url: 'not a url' }, '/body/url'],
    ['a URL that is not HTTP', { name: 'x', type: 'http', url: 'ftp://example.com/' }, '/body/url'],
    ['a port out of range', { name: 'x', type: 'tcp', host: 'db.internal', port: 70000 }, '/body/port'],
    ['a host with a scheme', { name: 'x', type: 'tcp', host: 'http://db', port: 5432 }, '/body/host'],
    ['an impossible expected status', { name: 'x', type: 'http', url: 'https://example.com/', expectedStatus: [700] }, '/body/expectedStatus/0'],
    ['an empty expected status list', { name: 'x', type: 'http', url: 'https://example.com/', expectedStatus: [] }, '/body/expectedStatus'],
    ['a timeout below the minimum', { name: 'x', type: 'http', url: 'https://example.com/', timeoutMs: 1 }, '/body/timeoutMs'],
    ['an unknown type', { name: 'x', type: 'udp', host: 'h', port: 1 }, '/body/type'],
    ['a name with capitals', { name: 'Billing', type: 'http', url: 'https://example.com/' }, '/body/name'],
    ['the name the dashboard’s add form has', { name: 'new', type: 'http', url: 'https://example.com/' }, '/body/name'],
  ])('rejects %s with a 400 naming the field', async (_case, payload, pointer) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/services', payload });
    expectProblem(response, 400, 'WK_ERR_VALIDATION');
    expect(response.json().errors).toEqual(expect.arrayContaining([{ pointer, detail: expect.any(String) }]));
  });

  it('rejects unknown fields instead of dropping them', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/services',
      payload: { name: 'x', type: 'http', url: 'https://example.com/', expectedstatus: [204] },
    });
    expectProblem(response, 400, 'WK_ERR_VALIDATION');
    expect(response.json().errors).toEqual([{ pointer: '/body', detail: 'unknown field "expectedstatus"' }]);
  });

  it('rejects a body that is not JSON, and a bad name in the path', async () => {
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/api/services', headers: { 'content-type': 'application/json' }, payload: '{"name":' }),
      400,
      'WK_ERR_BAD_REQUEST',
    );
    const badPath = await t.app.inject({ url: '/api/services/NOT_A_NAME' });
    expectProblem(badPath, 400, 'WK_ERR_VALIDATION');
    expect(badPath.json().errors[0].pointer).toBe('/params/name');
  });

  it('refuses a replacement whose body names another service', async () => {
    await t.app.inject({ method: 'POST', url: '/api/services', payload: { name: 'named', type: 'http', url: fake.url } });
    const response = await t.app.inject({ method: 'PUT', url: '/api/services/named', payload: { name: 'other', type: 'http', url: fake.url } });
    expectProblem(response, 400, 'WK_ERR_VALIDATION');
    expect(response.json().errors).toEqual([{ pointer: '/body/name', detail: expect.stringContaining('"named"') }]);
  });

  it('answers a duplicate name with 409', async () => {
    const payload = { name: 'twice', type: 'tcp', host: '127.0.0.1', port: 6379 };
    expect((await t.app.inject({ method: 'POST', url: '/api/services', payload })).statusCode).toBe(201);
    const again = await t.app.inject({ method: 'POST', url: '/api/services', payload });
    expectProblem(again, 409, 'WK_ERR_SERVICE_NAME_TAKEN');
    expect(again.json().detail).toContain('already exists');
  });

  it.each(['database', 'cache', 'memory', 'disk', 'event-loop'])('refuses the built-in component name %s with 409', async (name) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/services', payload: { name, type: 'http', url: fake.url } });
    expectProblem(response, 409, 'WK_ERR_SERVICE_NAME_RESERVED');
    expect(response.json().detail).toContain('built-in health component');
  });

  it('answers 404 for a service that does not exist, built-in components included', async () => {
    expectProblem(await t.app.inject({ url: '/api/services/nope' }), 404, 'WK_ERR_SERVICE_NOT_FOUND');
    expectProblem(
      await t.app.inject({ method: 'PUT', url: '/api/services/nope', payload: { type: 'tcp', host: 'h', port: 1 } }),
      404,
      'WK_ERR_SERVICE_NOT_FOUND',
    );
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/services/nope' }), 404, 'WK_ERR_SERVICE_NOT_FOUND');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/services/database' }), 404, 'WK_ERR_SERVICE_NOT_FOUND');
    expect(t.app.health.has('database')).toBe(true);
  });
});

describe('services from the config file', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ services: [{ name: 'upstream', type: 'tcp', host: '127.0.0.1', port: 9, critical: false }] });
    await authenticateAll(t.app);
  });
  afterAll(() => t.close());

  it('are checked and listed, marked as coming from the config file', async () => {
    expect(t.app.health.probe('upstream')).toMatchObject({ groups: ['services'] });
    const list = (await t.app.inject({ url: '/api/services' })).json();
    expect(list.items).toEqual([
      {
        name: 'upstream',
        type: 'tcp',
        host: '127.0.0.1',
        port: 9,
        critical: false,
        source: 'config',
        createdAt: null,
        updatedAt: null,
        health: expect.objectContaining({ consecutiveFailures: expect.any(Number) }),
      },
    ]);
    expect((await t.app.inject({ url: '/api/services/upstream' })).json()).toMatchObject({ source: 'config' });
    await t.app.health.runNow('upstream');
    expect((await t.app.inject({ url: '/health/services' })).json().checks['upstream:responseTime']).toHaveLength(1);
  });

  it('are listed in name order among the stored ones, every record in the shape the route schema gives', async () => {
    for (const name of ['zeta', 'alpha', 'up-links']) {
      const created = await t.app.inject({ method: 'POST', url: '/api/services', payload: { name, type: 'tcp', host: '127.0.0.1', port: 9 } });
      expect(created.statusCode).toBe(201);
    }
    try {
      const list = await t.app.inject({ url: '/api/services' });
      expect(list.headers['content-type']).toMatch(/^application\/json/);
      const body = list.json();
      expect(body.items.map((s: { name: string }) => s.name)).toEqual(['alpha', 'up-links', 'upstream', 'zeta']);
      expect(body).toEqual(JSON.parse(JSON.stringify(listServicesReplies[200].parse(body))));
    } finally {
      for (const name of ['zeta', 'alpha', 'up-links']) await t.app.inject({ method: 'DELETE', url: `/api/services/${name}` });
    }
  });

  it('are read-only through the API (409)', async () => {
    const put = await t.app.inject({ method: 'PUT', url: '/api/services/upstream', payload: { type: 'tcp', host: '127.0.0.1', port: 10 } });
    expectProblem(put, 409, 'WK_ERR_SERVICE_READ_ONLY');
    expect(put.json().detail).toContain('read-only');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/services/upstream' }), 409, 'WK_ERR_SERVICE_READ_ONLY');
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/api/services', payload: { name: 'upstream', type: 'tcp', host: 'h', port: 1 } }),
      409,
      'WK_ERR_SERVICE_NAME_RESERVED',
    );
    expect(t.app.health.probe('upstream')?.componentId).toBe('127.0.0.1:9');
  });

  it('stop start-up when one takes a built-in component name', async () => {
    const database = await createTestDatabase();
    try {
      await expect(buildTestApp({ database, services: [{ name: 'database', type: 'tcp', host: '127.0.0.1', port: 9 }] })).rejects.toThrow(
        /services\.0\.name .*"database" is the name of a built-in health component/,
      );
    } finally {
      await database.drop(); // also ends the half-started app's connections
    }
  });
});

describe('several instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await buildTestApp();
    b = await buildTestApp({ database: a.database });
    await authenticateAll(a.app);
    await authenticateAll(b.app);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('converge on the stored services when each reconciles', async () => {
    await a.app.inject({ method: 'POST', url: '/api/services', payload: { name: 'shared', type: 'tcp', host: '127.0.0.1', port: 9 } });
    expect(b.app.health.has('shared')).toBe(false);
    // The API reads the table, so the other instance answers for it at once…
    expect((await b.app.inject({ url: '/api/services/shared' })).statusCode).toBe(200);
    // …and its probes follow on its next reconciliation.
    await b.app.scheduler.runNow('services.sync');
    expect(b.app.health.probe('shared')?.componentId).toBe('127.0.0.1:9');

    await a.app.inject({ method: 'PUT', url: '/api/services/shared', payload: { type: 'tcp', host: '127.0.0.1', port: 10 } });
    await b.app.scheduler.runNow('services.sync');
    expect(b.app.health.probe('shared')?.componentId).toBe('127.0.0.1:10');

    await a.app.inject({ method: 'DELETE', url: '/api/services/shared' });
    await b.app.scheduler.runNow('services.sync');
    expect(b.app.health.has('shared')).toBe(false);
  });

  it('keeps an unchanged probe, with its state, across reconciliations', async () => {
    await a.app.inject({ method: 'POST', url: '/api/services', payload: { name: 'steady', type: 'tcp', host: '127.0.0.1', port: 9 } });
    await b.app.scheduler.runNow('services.sync');
    const probe = b.app.health.probe('steady');
    await b.app.health.runNow('steady');
    await b.app.scheduler.runNow('services.sync');
    expect(b.app.health.probe('steady')).toBe(probe);
    expect(b.app.health.get('steady')?.checkedAt).toBeInstanceOf(Date);
  });
});
