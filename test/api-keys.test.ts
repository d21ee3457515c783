import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../server/platform/auth/tokens.ts';
import { buildTestApp, createApiKey, signIn, type SignedInUser, type TestApp } from './helpers.ts';

describe('API keys', () => {
  let t: TestApp;
  let admin: SignedInUser;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    admin = await signIn(t.app, { role: 'admin' });
    await t.app.health.start(); // so /health/status answers 200 rather than "not checked yet"
  });
  afterAll(() => t.close());

  const create = (payload: Record<string, unknown>, headers = admin.headers) => t.app.inject({ method: 'POST', url: '/api/api-keys', headers, payload });
  const row = (id: string) => t.app.database.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('shows the key once, recognisable by its wk_ prefix, and stores only its hash', async () => {
    const response = await create({ name: 'ci', scopes: ['health:read'], expiresInDays: 30 });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created.key).toMatch(/^wk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    expect(Date.parse(created.expiresAt)).toBeGreaterThan(Date.now());

    const stored = await row(created.id);
    expect(stored.secret_hash).toBe(sha256(created.key));
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(created.prefix.length + 1));

    const listed = (await t.app.inject({ url: '/api/api-keys', headers: admin.headers })).json().items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'ci', prefix: created.prefix, scopes: ['health:read'] });
    expect(listed.key).toBeUndefined();
    expect(JSON.stringify(listed)).not.toContain(created.key);
  });

  it('authenticates with Authorization: Bearer and is held to its scopes, without CSRF', async () => {
    const { key } = (await create({ name: 'prober', scopes: ['health:read'] })).json();
    const headers = { authorization: `Bearer ${key}` };
    expect((await t.app.inject({ url: '/health/status', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/health/test/database', headers })).statusCode).toBe(403);

    const tester = (await create({ name: 'tester', scopes: ['health:test'] })).json();
    const run = await t.app.inject({ method: 'POST', url: '/health/test/database', headers: { authorization: `Bearer ${tester.key}` } });
    expect(run.statusCode).toBe(200);
  });

  it('refuses scopes its creator does not hold', async () => {
    const editor = await signIn(t.app, { role: 'editor' });
    // An editor cannot manage keys at all …
    expect((await create({ name: 'x', scopes: ['services:write'] }, editor.headers)).statusCode).toBe(403);
    // … and an admin cannot hand out what only an owner holds.
    const response = await create({ name: 'x', scopes: ['organizations:write'] });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toContain('organizations:write');
  });

  it('is not created by another API key', async () => {
    const key = await createApiKey(t.app, { scopes: ['api-keys:write', 'health:read'] });
    expect((await create({ name: 'child', scopes: ['health:read'] }, key.headers)).statusCode).toBe(403);
  });

  it('stops working at once when revoked, and its use is refused with 401', async () => {
    const { id, key } = (await create({ name: 'to-revoke', scopes: ['health:read'] })).json();
    const headers = { authorization: `Bearer ${key}` };
    expect((await t.app.inject({ url: '/health/status', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${id}`, headers: admin.headers })).statusCode).toBe(204);
    expect((await row(id)).revoked_at).not.toBeNull();
    const refused = await t.app.inject({ url: '/health/status', headers });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'WK_ERR_API_KEY_INVALID' });
  });

  it('is refused with 401 once expired', async () => {
    const key = await createApiKey(t.app, { scopes: ['health:read'], expiresAt: new Date(Date.now() + 86_400_000) });
    expect((await t.app.inject({ url: '/health/status', headers: key.headers })).statusCode).toBe(200);
    await t.app.database.db
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('id', '=', key.id)
      .execute();
    // A change made outside Watchkeeper counts once its notification is heard (rights-cache.ts).
    await t.app.database.notifications.sync();
    expect((await t.app.inject({ url: '/health/status', headers: key.headers })).statusCode).toBe(401);
  });

  it('is refused once its expiry passes while its rights are held in memory', async () => {
    const key = await createApiKey(t.app, { scopes: ['health:read'], expiresAt: new Date(Date.now() + 60_000) });
    expect((await t.app.inject({ url: '/health/status', headers: key.headers })).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    try {
      expect((await t.app.inject({ url: '/health/status', headers: key.headers })).statusCode).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses malformed and unknown keys with the same 401', async () => {
    const bad = await t.app.inject({ url: '/health/status', headers: { authorization: 'Bearer wk_nonsense' } });
    const unknown = await t.app.inject({ url: '/health/status', headers: { authorization: `Bearer wk_00000000_${'A'.repeat(43)}` } });
    expect(bad.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(bad.json().detail).toBe(unknown.json().detail);
  });

  it('records its last use, writing at most once a minute', async () => {
    const key = await createApiKey(t.app, { scopes: ['health:read'] });
    expect((await row(key.id)).last_used_at).toBeNull();
    await t.app.inject({ url: '/health/status', headers: key.headers });
    const first = (await row(key.id)).last_used_at;
    expect(first).not.toBeNull();
    await t.app.inject({ url: '/health/status', headers: key.headers });
    expect((await row(key.id)).last_used_at).toEqual(first);
    // A minute later (moved back in the table, and this instance's clock moved on, rather than
    // waited for), the next use is recorded.
    const old = new Date(first!.getTime() - 61_000);
    await t.app.database.db.updateTable('api_keys').set({ last_used_at: old }).where('id', '=', key.id).execute();
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 61_000 });
    try {
      await t.app.inject({ url: '/health/status', headers: key.headers });
    } finally {
      vi.useRealTimers();
    }
    expect((await row(key.id)).last_used_at!.getTime()).toBeGreaterThan(old.getTime());
  });

  it('holds no more than its creator still holds', async () => {
    const creator = await signIn(t.app, { role: 'admin' });
    const { key } = (await create({ name: 'tester', scopes: ['health:test'] }, creator.headers)).json();
    const headers = { authorization: `Bearer ${key}` };
    expect((await t.app.inject({ method: 'POST', url: '/health/test/database', headers })).statusCode).toBe(200);
    await t.app.inject({ method: 'PATCH', url: `/api/users/${creator.id}`, headers: admin.headers, payload: { role: 'viewer' } });
    expect((await t.app.inject({ method: 'POST', url: '/health/test/database', headers })).statusCode).toBe(403);
    await t.app.inject({ method: 'PATCH', url: `/api/users/${creator.id}`, headers: admin.headers, payload: { disabled: true } });
    expect((await t.app.inject({ url: '/health/status', headers })).statusCode).toBe(401);
  });

  it('audits key creation, revocation and refused use', async () => {
    if (!t.app.hasDecorator('audit')) return;
    const rows = await t.app.database.db
      .selectFrom('audit_log' as never)
      .selectAll()
      .execute();
    const text = JSON.stringify(rows);
    for (const action of ['api-key.create', 'api-key.revoke', 'api-key.use-denied']) expect(text).toContain(action);
  });
});
