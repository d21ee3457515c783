import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ORGANIZATION_ID } from '../contracts/tenancy.ts';
import { buildTestApp, signIn, type SignedInUser, type TestApp } from './helpers.ts';

describe('IP access rules', () => {
  let t: TestApp;
  let admin: SignedInUser;
  beforeAll(async () => {
    t = await buildTestApp();
    admin = await signIn(t.app, { role: 'admin' });
  });
  afterEach(async () => {
    await t.app.database.db.deleteFrom('ip_rules').execute();
    await t.app.scheduler.runNow('ip-rules.refresh');
  });
  afterAll(() => t.close());

  // The admin calls from 127.0.0.1, app.inject's default peer.
  const addRule = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/ip-rules', headers: admin.headers, payload });
  const docsFrom = (ip: string) => t.app.inject({ url: '/docs/json', remoteAddress: ip });

  it('refuses a malformed CIDR with a 400 naming /body/cidr', async () => {
    for (const cidr of ['10.0.0.0/33', 'not-an-address', '2001:db8::/129', 'fe80::1%eth0']) {
      const response = await addRule({ action: 'deny', cidr });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'WK_ERR_VALIDATION', errors: [expect.objectContaining({ pointer: '/body/cidr' })] });
    }
  });

  it('stores the canonical network and lists it', async () => {
    const created = await addRule({ action: 'deny', cidr: '10.1.2.3/8', description: 'lab' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ action: 'deny', cidr: '10.0.0.0/8', scope: 'all', description: 'lab', createdBy: admin.email });
    const list = await t.app.inject({ url: '/api/ip-rules', headers: admin.headers });
    expect(list.json().items).toEqual([expect.objectContaining({ id: created.json().id, cidr: '10.0.0.0/8' })]);
    expect((await addRule({ action: 'deny', cidr: '10.0.0.0/8' })).statusCode).toBe(409);
  });

  it('answers a denied address 403 problem+json and audits the denial', async () => {
    expect((await addRule({ action: 'deny', cidr: '203.0.113.0/24' })).statusCode).toBe(201);
    const denied = await docsFrom('203.0.113.7');
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(denied.json()).toMatchObject({ status: 403, code: 'WK_ERR_IP_DENIED' });
    expect((await docsFrom('198.51.100.1')).statusCode).toBe(200);
    await expect
      .poll(async () =>
        t.app.database.db
          .selectFrom('audit_log')
          .select(['outcome', 'target_id'])
          .where('action', '=', 'ip-rule.deny')
          .where('ip', '=', '203.0.113.7')
          .execute(),
      )
      .toEqual([{ outcome: 'denied', target_id: 'web' }]);
  });

  it('matches IPv6 ranges', async () => {
    expect((await addRule({ action: 'deny', cidr: '2001:db8:bad::/48' })).statusCode).toBe(201);
    expect((await docsFrom('2001:db8:bad::1')).statusCode).toBe(403);
    expect((await docsFrom('2001:db8:bad:ffff::1')).statusCode).toBe(403);
    expect((await docsFrom('2001:db8:900d::1')).statusCode).toBe(200);
  });

  it('admits only allowed addresses to a group with an allow rule, before authentication', async () => {
    expect((await addRule({ action: 'allow', cidr: '127.0.0.0/8', scope: 'admin' })).statusCode).toBe(201);
    // Refused without even looking at credentials: 403, not 401.
    const outsider = await t.app.inject({ url: '/api/ip-rules', remoteAddress: '198.51.100.5' });
    expect(outsider.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/ip-rules', remoteAddress: '198.51.100.5', headers: admin.headers })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/ip-rules', remoteAddress: '127.0.0.9', headers: admin.headers })).statusCode).toBe(200);
    // Other groups stay open.
    expect((await docsFrom('198.51.100.5')).statusCode).toBe(200);
  });

  it('lets a deny rule win over an allow rule', async () => {
    expect((await addRule({ action: 'allow', cidr: '0.0.0.0/0' })).statusCode).toBe(201);
    expect((await addRule({ action: 'deny', cidr: '192.0.2.0/24', scope: 'web' })).statusCode).toBe(201);
    expect((await docsFrom('192.0.2.1')).statusCode).toBe(403);
    expect((await docsFrom('198.51.100.1')).statusCode).toBe(200);
  });

  it('refuses (409) a rule that would shut the caller out of the routes it is using', async () => {
    const allowOffice = await addRule({ action: 'allow', cidr: '10.0.0.0/8', scope: 'admin' });
    expect(allowOffice.statusCode).toBe(409);
    expect(allowOffice.json()).toMatchObject({ code: 'WK_ERR_SELF_LOCKOUT', detail: expect.stringContaining('127.0.0.1') });
    expect((await addRule({ action: 'deny', cidr: '127.0.0.1' })).statusCode).toBe(409);
    // A group the caller is not using is fine.
    expect((await addRule({ action: 'allow', cidr: '10.0.0.0/8', scope: 'health' })).statusCode).toBe(201);
    expect((await t.app.inject({ url: '/api/ip-rules', headers: admin.headers })).json().items).toHaveLength(1);
  });

  it('removes a rule, and refuses removing the allow rule that admits the caller', async () => {
    const mine = (await addRule({ action: 'allow', cidr: '127.0.0.0/8', scope: 'admin' })).json();
    const other = (await addRule({ action: 'allow', cidr: '192.0.2.0/24', scope: 'admin' })).json();
    const remove = (id: string) => t.app.inject({ method: 'DELETE', url: `/api/ip-rules/${id}`, headers: admin.headers });
    expect((await remove(mine.id)).statusCode).toBe(409);
    expect((await remove(other.id)).statusCode).toBe(204);
    expect((await remove(other.id)).statusCode).toBe(404);
    expect((await remove(mine.id)).statusCode).toBe(204); // the last allow rule: the group is open again
    expect((await t.app.inject({ url: '/api/ip-rules', remoteAddress: '198.51.100.5', headers: admin.headers })).statusCode).toBe(200);
  });

  it('picks up rules written by another instance on the periodic refresh', async () => {
    await t.app.database.db
      .insertInto('ip_rules')
      .values({ organization_id: SYSTEM_ORGANIZATION_ID, action: 'deny', cidr: '198.51.100.77/32', scope: 'all', created_by: null })
      .execute();
    expect((await docsFrom('198.51.100.77')).statusCode).toBe(200);
    await t.app.scheduler.runNow('ip-rules.refresh');
    expect((await docsFrom('198.51.100.77')).statusCode).toBe(403);
  });

  it('needs ip-rules permissions', async () => {
    const viewer = await signIn(t.app, { role: 'viewer' });
    expect((await t.app.inject({ url: '/api/ip-rules', headers: viewer.headers })).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/ip-rules', headers: viewer.headers, payload: { action: 'deny', cidr: '192.0.2.1' } })).statusCode,
    ).toBe(403);
    expect((await t.app.inject({ url: '/api/ip-rules' })).statusCode).toBe(401);
  });

  it('audits rule changes with the change', async () => {
    const created = (await addRule({ action: 'deny', cidr: '192.0.2.99' })).json();
    const records = await t.app.database.db
      .selectFrom('audit_log')
      .select(['action', 'target_id', 'actor_label'])
      .where('target_id', '=', created.id)
      .execute();
    expect(records).toEqual([{ action: 'ip-rule.create', target_id: created.id, actor_label: admin.email }]);
  });
});
