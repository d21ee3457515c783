import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { SecurityEventPublished } from '../server/platform/events/index.ts';
import { buildTestApp, createApiKey, createOrganization, createUser, signIn, testPassword, type SignedInUser, type TestApp } from './helpers.ts';

/** Resolves with the next `security.event` that matches; subscribe before acting. */
function nextSecurityEvent(app: FastifyInstance, matches: (event: SecurityEventPublished) => boolean): Promise<SecurityEventPublished> {
  return new Promise((resolve) => {
    const off = app.events.on('security.event', (event) => {
      if (!matches(event)) return;
      off();
      resolve(event);
    });
  });
}

const failLogin = (app: FastifyInstance, email: string, remoteAddress: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password: testPassword() }, remoteAddress });

async function listEvents(app: FastifyInstance, headers: Record<string, string>, query = '') {
  const response = await app.inject({ url: `/api/security-events${query}`, headers });
  expect(response.statusCode).toBe(200);
  return (response.json() as { events: Array<{ kind: string; severity: string; subject: string; organizationId: string; count: number }> }).events;
}

describe('security events', () => {
  let t: TestApp;
  let systemAdmin: SignedInUser;
  let otherOrg: { id: string; projectId: string };
  let otherAdmin: SignedInUser;
  beforeAll(async () => {
    t = await buildTestApp({
      env: {
        RATE_LIMIT_ENABLED: 'false',
        AUTH_LOGIN_MAX_FAILURES: '100',
        AUTH_LOGIN_IP_MAX_FAILURES: '100',
        SECURITY_BRUTE_FORCE_THRESHOLD: '3',
        SECURITY_SPRAY_ACCOUNTS_THRESHOLD: '3',
        SECURITY_DENIAL_BURST_THRESHOLD: '3',
      },
    });
    systemAdmin = await signIn(t.app, { role: 'admin' });
    otherOrg = await createOrganization(t.app);
    otherAdmin = await signIn(t.app, { role: 'admin', organizationId: otherOrg.id });
  });
  afterAll(() => t.close());

  it('records brute force on one account as a high event, publishes it and shows it to the instance admin only', async () => {
    const victim = await createUser(t.app);
    const published = nextSecurityEvent(t.app, (e) => e.kind === 'brute-force' && e.subject === `account:${victim.email}`);
    for (const ip of ['192.0.2.11', '192.0.2.12', '192.0.2.13']) expect((await failLogin(t.app, victim.email, ip)).statusCode).toBe(401);
    const event = await published;
    expect(event).toMatchObject({ severity: 'high', count: 3 });

    const seen = await listEvents(t.app, systemAdmin.headers, '?kind=brute-force');
    expect(seen).toEqual(expect.arrayContaining([expect.objectContaining({ subject: `account:${victim.email}`, severity: 'high' })]));
    const stored = await sql<{ kind: string }>`SELECT kind FROM security_events WHERE id = ${event.id}`.execute(t.app.database.db);
    expect(stored.rows).toEqual([{ kind: 'brute-force' }]);
    expect(await listEvents(t.app, otherAdmin.headers)).not.toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'brute-force' })]));
  });

  it('keeps one event per account and window, updating its count, and counts it once in the metrics', async () => {
    const victim = await createUser(t.app);
    const published = nextSecurityEvent(t.app, (e) => e.subject === `account:${victim.email}`);
    for (const ip of ['192.0.2.21', '192.0.2.22', '192.0.2.23']) await failLogin(t.app, victim.email, ip);
    await published;
    const before = await t.app.metrics.getSingleMetric('watchkeeper_security_events_total')!.get();
    const bruteForce = before.values.find((v) => v.labels.kind === 'brute-force' && v.labels.severity === 'high');
    expect(bruteForce?.value).toBeGreaterThanOrEqual(1);

    await failLogin(t.app, victim.email, '192.0.2.24');
    await expect
      .poll(async () =>
        (await listEvents(t.app, systemAdmin.headers, '?kind=brute-force')).filter((e) => e.subject === `account:${victim.email}`).map((e) => e.count),
      )
      .toEqual([4]);
    const after = await t.app.metrics.getSingleMetric('watchkeeper_security_events_total')!.get();
    expect(after.values.find((v) => v.labels.kind === 'brute-force')?.value).toBe(bruteForce?.value);
  });

  it('records password spraying: failures across many accounts from one address', async () => {
    const published = nextSecurityEvent(t.app, (e) => e.kind === 'password-spraying' && e.subject === 'ip:192.0.2.31');
    for (const n of [1, 2, 3]) await failLogin(t.app, `sprayed-${n}@example.test`, '192.0.2.31');
    expect(await published).toMatchObject({ severity: 'high', count: 3 });
  });

  it('records a burst of denied permissions in the organization of the caller', async () => {
    const viewer = await signIn(t.app, { role: 'viewer', organizationId: otherOrg.id });
    const published = nextSecurityEvent(t.app, (e) => e.kind === 'permission-denials' && e.subject === `user:${viewer.id}`);
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: '/api/users', headers: viewer.headers })).statusCode).toBe(403);
    // One record for the first denial, one counting the other two when their window is written:
    // the detector weighs each by its count.
    await t.app.audit.flushRepeated();
    expect(await published).toMatchObject({ severity: 'medium', organizationId: otherOrg.id, count: 3 });
    expect(await listEvents(t.app, otherAdmin.headers, '?kind=permission-denials')).toEqual([expect.objectContaining({ subject: `user:${viewer.id}` })]);
  });

  it('records an API key used from a new address, but not its first one', async () => {
    const key = await createApiKey(t.app, { scopes: ['security-events:read'] });
    const subject = `api-key:${key.id}`;
    expect((await t.app.inject({ url: '/api/security-events', headers: key.headers, remoteAddress: '192.0.2.41' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/security-events', headers: key.headers, remoteAddress: '192.0.2.41' })).statusCode).toBe(200);
    expect((await listEvents(t.app, systemAdmin.headers, '?kind=api-key-new-ip')).filter((e) => e.subject === subject)).toEqual([]);

    await t.app.inject({ url: '/api/security-events', headers: key.headers, remoteAddress: '192.0.2.42' });
    expect((await listEvents(t.app, systemAdmin.headers, '?kind=api-key-new-ip')).filter((e) => e.subject === subject)).toEqual([
      expect.objectContaining({ severity: 'low', count: 1 }),
    ]);
  });

  it('records requests refused by the IP rules', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/ip-rules',
      headers: systemAdmin.headers,
      payload: { action: 'deny', cidr: '203.0.113.0/24', scope: 'admin' },
    });
    expect(created.statusCode).toBe(201);
    const published = nextSecurityEvent(t.app, (e) => e.kind === 'ip-rule-denials' && e.subject === 'ip:203.0.113.7');
    expect((await t.app.inject({ url: '/api/users', remoteAddress: '203.0.113.7' })).statusCode).toBe(403);
    expect(await published).toMatchObject({ severity: 'low' });
  });

  it('filters and pages the list', async () => {
    const first = await t.app.inject({ url: '/api/security-events?limit=1', headers: systemAdmin.headers });
    const { events, nextCursor } = first.json() as { events: Array<{ id: string }>; nextCursor: string };
    expect(events).toHaveLength(1);
    const second = (await t.app.inject({ url: `/api/security-events?limit=1&cursor=${nextCursor}`, headers: systemAdmin.headers })).json() as {
      events: Array<{ id: string }>;
    };
    expect(second.events[0]!.id).not.toBe(events[0]!.id);
    expect((await t.app.inject({ url: '/api/security-events?severity=urgent', headers: systemAdmin.headers })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/security-events?cursor=nonsense', headers: systemAdmin.headers })).statusCode).toBe(400);
    for (const e of await listEvents(t.app, systemAdmin.headers, '?severity=low')) expect(e.severity).toBe('low');
  });

  it('refuses callers without security-events:read', async () => {
    const viewer = await signIn(t.app, { role: 'viewer' });
    expect((await t.app.inject({ url: '/api/security-events', headers: viewer.headers })).statusCode).toBe(403);
  });
});

describe('rate-limit storms', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_AUTH_POINTS: '1', SECURITY_RATE_LIMIT_STORM_THRESHOLD: '2' } });
  });
  afterAll(() => t.close());

  it('records many different clients refused by one rate-limit class', async () => {
    const published = nextSecurityEvent(t.app, (e) => e.kind === 'rate-limit-storm');
    for (const ip of ['192.0.2.51', '192.0.2.52']) {
      await failLogin(t.app, 'storm@example.test', ip);
      expect((await failLogin(t.app, 'storm@example.test', ip)).statusCode).toBe(429);
    }
    expect(await published).toMatchObject({ severity: 'medium', subject: 'rate-limit-class:auth', count: 2 });
  });
});
