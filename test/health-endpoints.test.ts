import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthResponseSchema } from '../contracts/health.ts';
import { LATEST_MIGRATION } from '../server/migrations/index.ts';
import { buildTestApp, signIn, type SignedInUser, type TestApp } from './helpers.ts';

describe('health endpoints', () => {
  let t: TestApp;
  let admin: SignedInUser;
  beforeAll(async () => {
    t = await buildTestApp();
    admin = await signIn(t.app, { role: 'admin' });
    await t.app.health.start();
  });
  afterAll(() => t.close());

  it.each(['liveness', 'readiness', 'database', 'cache', 'services', 'memory', 'disk', 'status'])(
    'answers /health/%s as application/health+json in the IETF shape',
    async (endpoint) => {
      const response = await t.app.inject({ method: 'GET', url: `/health/${endpoint}`, headers: admin.headers });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/health\+json/);
      const body = healthResponseSchema.parse(response.json());
      expect(body.status).toMatch(/pass|warn/);
      expect(body.version).toBeTruthy();
      expect(body.serviceId).toBe('watchkeeper');
    },
  );

  it('reports database round trip, pool and schema version', async () => {
    const body = (await t.app.inject({ url: '/health/database', headers: admin.headers })).json();
    expect(body.checks['database:connections'][0].observedValue).toMatchObject({ total: expect.any(Number), idle: expect.any(Number), waiting: 0 });
    expect(body.checks['database:schemaVersion'][0].observedValue).toBe(LATEST_MIGRATION);
    expect(body.checks['database:responseTime'][0].observedUnit).toBe('ms');
  });

  it('returns 503 on readiness while draining', async () => {
    t.app.lifecycle.draining = true;
    try {
      const response = await t.app.inject({ url: '/health/readiness' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ status: 'fail', output: expect.stringContaining('draining') });
      const liveness = await t.app.inject({ url: '/health/liveness' });
      expect(liveness.statusCode).toBe(503);
    } finally {
      t.app.lifecycle.draining = false;
    }
  });

  it('runs a component check on demand', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/health/test/database', headers: admin.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json().checks['database:schemaVersion']).toBeDefined();
  });

  it('answers an unknown component with a 404 problem', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/health/test/nope', headers: admin.headers });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 404, code: 'WK_ERR_HEALTH_COMPONENT_NOT_FOUND' });
  });
});

describe('readiness and the schema version', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.health.start();
  });
  afterAll(() => t.close());

  it('fails readiness naming the migrations when the schema is behind, and passes again once it is current', async () => {
    const latest = await t.app.database.pool.query<{ name: string; timestamp: string }>('SELECT name, timestamp FROM kysely_migration WHERE name = $1', [
      LATEST_MIGRATION,
    ]);
    await t.app.database.pool.query('DELETE FROM kysely_migration WHERE name = $1', [LATEST_MIGRATION]);
    try {
      await t.app.health.runNow('database');
      const response = await t.app.inject({ url: '/health/readiness' });
      expect(response.statusCode).toBe(503);
      expect(response.json().output).toContain('migrations not applied');
    } finally {
      await t.app.database.pool.query('INSERT INTO kysely_migration (name, timestamp) VALUES ($1, $2)', [latest.rows[0]!.name, latest.rows[0]!.timestamp]);
    }
    await t.app.health.runNow('database');
    expect((await t.app.inject({ url: '/health/readiness' })).statusCode).toBe(200);
  });

  it('names an unreachable database as failing, without claiming the migrations are missing', async () => {
    const probe = t.app.health.probe('database')!;
    const check = probe.check;
    // The real check, against a pool whose server refuses the connection.
    probe.check = async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:1');
    };
    try {
      await t.app.health.runNow('database');
      const body = (await t.app.inject({ url: '/health/readiness' })).json();
      expect(body.status).toBe('fail');
      expect(body.output).toContain('database');
      expect(body.output).not.toContain('migrations not applied');
    } finally {
      probe.check = check;
      await t.app.health.runNow('database');
    }
  });
});
