import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditRepository, verifyAuditChain } from '../server/platform/audit/index.ts';
import { buildTestApp, createTestDatabase, signIn, type TestApp, type TestDatabase } from './helpers.ts';

const junkKey = () => ({ authorization: `Bearer wk_${randomBytes(24).toString('base64url')}` });

async function denials(t: TestApp, action: string, where: { ip?: string; actorId?: string } = {}) {
  let query = t.app.database.db.selectFrom('audit_log').select(['details', 'actor_id', 'ip']).where('action', '=', action);
  if (where.ip) query = query.where('ip', '=', where.ip);
  if (where.actorId) query = query.where('actor_id', '=', where.actorId);
  const rows = await query.orderBy('seq').execute();
  return { rows: rows.length, count: rows.reduce((sum, row) => sum + (row.details as { count: number }).count, 0) };
}

describe('repeated identical denials in the audit log', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false', SECURITY_DENIAL_BURST_THRESHOLD: '10' } });
  });
  afterAll(() => t.close());

  it('writes N refused API keys from one address as far fewer records whose counts sum to N', async () => {
    for (let i = 0; i < 40; i++) expect((await t.app.inject({ url: '/api/users', remoteAddress: '192.0.2.80', headers: junkKey() })).statusCode).toBe(401);
    expect(await denials(t, 'api-key.use-denied', { ip: '192.0.2.80' })).toEqual({ rows: 1, count: 1 });
    await t.app.audit.flushRepeated();
    expect(await denials(t, 'api-key.use-denied', { ip: '192.0.2.80' })).toEqual({ rows: 2, count: 40 });
    expect(await verifyAuditChain({ repository: createAuditRepository({ db: t.app.database.db }) })).toMatchObject({ intact: true, problems: [] });
  });

  it('aggregates denied permissions per principal, and the burst detector still sees every one', async () => {
    const viewer = await signIn(t.app, { role: 'viewer' });
    const opened = new Promise((resolve) => {
      const off = t.app.events.on('security.event', (event) => {
        if (event.kind !== 'permission-denials' || event.subject !== `user:${viewer.id}`) return;
        off();
        resolve(event);
      });
    });
    for (let i = 0; i < 12; i++) expect((await t.app.inject({ url: '/api/users', headers: viewer.headers })).statusCode).toBe(403);
    await t.app.audit.flushRepeated();
    expect(await denials(t, 'access.denied', { actorId: viewer.id })).toEqual({ rows: 2, count: 12 });
    // Threshold 10: reached only by weighing the summary record by its count (11).
    expect(await opened).toMatchObject({ severity: 'medium', count: 12 });
  });
});

describe('repeated denials at shutdown', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it('writes the counts of windows still open when the app closes', async () => {
    const first = await buildTestApp({ database, env: { RATE_LIMIT_ENABLED: 'false' } });
    for (let i = 0; i < 15; i++) await first.app.inject({ url: '/api/users', remoteAddress: '192.0.2.81', headers: junkKey() });
    await first.close();
    const second = await buildTestApp({ database, env: { RATE_LIMIT_ENABLED: 'false' } });
    try {
      expect(await denials(second, 'api-key.use-denied', { ip: '192.0.2.81' })).toEqual({ rows: 2, count: 15 });
      expect(await verifyAuditChain({ repository: createAuditRepository({ db: second.app.database.db }) })).toMatchObject({ intact: true });
    } finally {
      await second.close();
    }
  });
});
