/**
 * External services per tenant: each organization's projects have their own services, checked by
 * Watchkeeper like its own but kept out of Watchkeeper's health, named independently, readable
 * only by their members, and unable to target the networks a tenant must not reach.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_SCOPE } from '../contracts/tenancy.ts';
import { buildTestApp, createApiKey, createOrganization, signIn, type SignedInUser, type TestApp } from './helpers.ts';
import { startFakeService, type FakeService } from './fake-services.ts';

const tcp = (name: string, port: number, host = '127.0.0.1') => ({ name, type: 'tcp', host, port });

describe('external services of a tenant', () => {
  let t: TestApp;
  let fake: FakeService;
  let tenant: { id: string; projectId: string };
  let editor: SignedInUser;

  beforeAll(async () => {
    // Loopback allowed for tenants here, so their checks can reach the local fake; the guard is still on.
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false', SERVICES_TENANT_BLOCKED_NETWORKS: '169.254.0.0/16', SERVICES_MAX_PER_PROJECT: '3' } });
    fake = await startFakeService(200);
    tenant = await createOrganization(t.app);
    editor = await signIn(t.app, { role: 'editor', organizationId: tenant.id });
  });
  afterAll(async () => {
    await fake.close();
    await t.close();
  });

  const create = (headers: Record<string, string>, body: object) => t.app.inject({ method: 'POST', url: '/api/services', headers, payload: body });

  it("are created in the member's project, checked, and listed with their latest result", async () => {
    const created = await create(editor.headers, { name: 'shop', type: 'http', url: fake.url });
    expect(created.statusCode).toBe(201);
    expect(created.json().health).toEqual({ status: null, output: null, latencyMs: null, checkedAt: null, consecutiveFailures: 0 });

    const checked = await t.app.inject({ method: 'POST', url: '/api/services/shop/check', headers: editor.headers });
    expect(checked.statusCode).toBe(200);
    expect(checked.json().health).toMatchObject({ status: 'pass', consecutiveFailures: 0 });
    expect(fake.requests).toBeGreaterThan(0);

    const listed = (await t.app.inject({ url: '/api/services', headers: editor.headers })).json().items;
    expect(listed.map((s: { name: string }) => s.name)).toEqual(['shop']);
    expect(listed[0].health.status).toBe('pass');
    expect(t.app.health.get('shop', { organizationId: tenant.id, projectId: tenant.projectId })?.scope).toEqual({
      organizationId: tenant.id,
      projectId: tenant.projectId,
    });
  });

  it("stay out of Watchkeeper's own health: a tenant's failing service degrades neither readiness nor /health/status", async () => {
    await create(editor.headers, { ...tcp('broken-dependency', 1), critical: true });
    await t.app.inject({ method: 'POST', url: '/api/services/broken-dependency/check', headers: editor.headers });
    expect(t.app.health.get('broken-dependency', { organizationId: tenant.id, projectId: tenant.projectId })?.status).toBe('fail');

    const admin = await signIn(t.app, { role: 'admin' });
    const status = await t.app.inject({ url: '/health/status', headers: admin.headers });
    expect(Object.keys(status.json().checks).some((key) => key.startsWith('broken-dependency') || key.startsWith('shop'))).toBe(false);
    const readiness = await t.app.inject({ url: '/health/readiness' });
    expect(readiness.json().output ?? '').not.toContain('broken-dependency');
    await t.app.inject({ method: 'DELETE', url: '/api/services/broken-dependency', headers: editor.headers });
  });

  it('may share a name with a service of another tenant or of Watchkeeper itself', async () => {
    const second = await createOrganization(t.app);
    const theirs = await signIn(t.app, { role: 'editor', organizationId: second.id });
    const owner = await signIn(t.app, { role: 'owner' });
    expect((await create(theirs.headers, tcp('shop', 2))).statusCode).toBe(201);
    expect((await create(owner.headers, tcp('shop', 3))).statusCode).toBe(201);
    // Built-in component names are reserved in Watchkeeper's own project only.
    expect((await create(theirs.headers, tcp('database', 4))).statusCode).toBe(201);

    expect((await t.app.inject({ url: '/api/services/shop', headers: editor.headers })).json()).toMatchObject({ type: 'http', url: fake.url });
    expect((await t.app.inject({ url: '/api/services/shop', headers: theirs.headers })).json()).toMatchObject({ type: 'tcp', port: 2 });
    expect((await t.app.inject({ url: '/api/services/shop', headers: owner.headers })).json()).toMatchObject({ type: 'tcp', port: 3 });
    expect(t.app.health.probe('database')?.componentType).toBe('datastore');
    expect(t.app.health.probe('shop', SYSTEM_SCOPE)?.componentId).toBe('127.0.0.1:3');
  });

  it('are 404 to another organization, for reads, writes and checks alike', async () => {
    const outsider = await signIn(t.app, { role: 'owner' });
    expect((await t.app.inject({ url: '/api/services/shop', headers: outsider.headers })).json().type).toBe('tcp'); // Watchkeeper's own "shop"
    const stranger = await signIn(t.app, { role: 'owner', organizationId: (await createOrganization(t.app)).id });
    for (const [method, url] of [
      ['GET', '/api/services/shop'],
      ['DELETE', '/api/services/shop'],
      ['POST', '/api/services/shop/check'],
    ] as const) {
      expect((await t.app.inject({ method, url, headers: stranger.headers })).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await t.app.inject({ url: '/api/services', headers: stranger.headers })).json().items).toEqual([]);
    // Naming the tenant's project from outside its organization finds nothing either.
    expect((await t.app.inject({ url: '/api/services', headers: { ...stranger.headers, 'x-project': tenant.projectId } })).statusCode).toBe(404);
  });

  it('are written only by members holding services:write on that project', async () => {
    const second = await t.app.database.db
      .insertInto('projects')
      .values({ organization_id: tenant.id, slug: 'payments', name: 'Payments' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const projectEditor = await signIn(t.app, { role: 'editor', organizationId: tenant.id, projectId: second.id });
    // Their own project by default …
    expect((await create(projectEditor.headers, tcp('ledger', 5))).statusCode).toBe(201);
    expect((await t.app.inject({ url: '/api/services', headers: projectEditor.headers })).json().items.map((s: { name: string }) => s.name)).toEqual([
      'ledger',
    ]);
    // … but not the organization's other project, for writing or reading.
    const elsewhere = { ...projectEditor.headers, 'x-project': tenant.projectId };
    expect((await create(elsewhere, tcp('sneaky', 6))).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/services', headers: elsewhere })).statusCode).toBe(403);
    // A viewer reads but does not write.
    const viewer = await signIn(t.app, { role: 'viewer', organizationId: tenant.id });
    expect((await t.app.inject({ url: '/api/services', headers: viewer.headers })).statusCode).toBe(200);
    expect((await create(viewer.headers, tcp('nope', 7))).statusCode).toBe(403);
    // An API key bound to the project acts there.
    const key = await createApiKey(t.app, { organizationId: tenant.id, projectId: second.id, scopes: ['services:read'] });
    expect((await t.app.inject({ url: '/api/services', headers: key.headers })).json().items.map((s: { name: string }) => s.name)).toEqual(['ledger']);
  });

  it("serve their stored history to the tenant's members, and Watchkeeper's to no one else", async () => {
    await t.app.inject({ method: 'POST', url: '/api/services/shop/check', headers: editor.headers });
    await t.app.healthHistory.recorder!.flush();
    const history = await t.app.inject({ url: '/health/history?component=shop', headers: editor.headers });
    expect(history.statusCode).toBe(200);
    expect(history.json().components).toEqual([expect.objectContaining({ component: 'shop' })]);
    expect(history.json().samples.length).toBeGreaterThan(0);
    // Watchkeeper's own components are not the tenant's.
    expect((await t.app.inject({ url: '/health/history?component=database', headers: editor.headers })).statusCode).toBe(404);
  });

  it('are limited per project (SERVICES_MAX_PER_PROJECT)', async () => {
    const crowded = await createOrganization(t.app);
    const member = await signIn(t.app, { role: 'editor', organizationId: crowded.id });
    for (const n of [1, 2, 3]) expect((await create(member.headers, tcp(`svc-${n}`, 10 + n))).statusCode).toBe(201);
    const refused = await create(member.headers, tcp('svc-4', 14));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('SERVICES_MAX_PER_PROJECT');
  });

  it('get or lose their probes on every instance at its next sync, also when their organization is deleted', async () => {
    const org = await createOrganization(t.app);
    const scope = { organizationId: org.id, projectId: org.projectId };
    // As if written through another instance: straight into the table.
    await t.app.database.db
      .insertInto('external_services')
      .values({
        organization_id: org.id,
        project_id: org.projectId,
        name: 'elsewhere',
        definition: JSON.stringify({ type: 'tcp', host: '127.0.0.1', port: 9 }),
      })
      .execute();
    expect(t.app.health.has('elsewhere', scope)).toBe(false);
    const added = await t.app.services.sync();
    expect(added.added).toContain(`${org.projectId}/elsewhere`);
    expect(t.app.health.has('elsewhere', scope)).toBe(true);

    await t.app.database.db.deleteFrom('organizations').where('id', '=', org.id).execute();
    const removed = await t.app.services.sync();
    expect(removed.removed).toContain(`${org.projectId}/elsewhere`);
    expect(t.app.health.has('elsewhere', scope)).toBe(false);
  });

  it('stop being checked on this instance as soon as their project is deleted through the API', async () => {
    const org = await createOrganization(t.app);
    const owner = await signIn(t.app, { role: 'owner', organizationId: org.id });
    const doomed = (await t.app.inject({ method: 'POST', url: '/api/projects', headers: owner.headers, payload: { slug: 'doomed', name: 'Doomed' } })).json();
    const scope = { organizationId: org.id, projectId: doomed.id as string };
    expect((await create({ ...owner.headers, 'x-project': doomed.id }, tcp('in-doomed', 9))).statusCode).toBe(201);
    expect(t.app.health.has('in-doomed', scope)).toBe(true);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/projects/${doomed.id}`, headers: owner.headers })).statusCode).toBe(204);
    await vi.waitFor(() => expect(t.app.health.has('in-doomed', scope)).toBe(false));
  });
});

describe('networks a tenant may not target (default SERVICES_TENANT_BLOCKED_NETWORKS)', () => {
  let t: TestApp;
  let fake: FakeService;
  let member: SignedInUser;

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    fake = await startFakeService(200);
    member = await signIn(t.app, { role: 'editor', organizationId: (await createOrganization(t.app)).id });
  });
  afterAll(async () => {
    await fake.close();
    await t.close();
  });

  async function checkAs(user: SignedInUser, service: object) {
    const name = (service as { name: string }).name;
    expect((await t.app.inject({ method: 'POST', url: '/api/services', headers: user.headers, payload: service })).statusCode).toBe(201);
    return (await t.app.inject({ method: 'POST', url: `/api/services/${name}/check`, headers: user.headers })).json().health;
  }

  it("refuses a tenant's check of Watchkeeper's own host, by address or by name, without connecting", async () => {
    const port = Number(new URL(fake.url).port);
    const before = fake.requests;
    const literal = await checkAs(member, { name: 'own-host', type: 'http', url: fake.url });
    expect(literal).toMatchObject({ status: 'fail' });
    expect(literal.output).toContain('may not target');
    const byName = await checkAs(member, { name: 'own-host-by-name', type: 'http', url: `http://localhost:${port}/health` });
    expect(byName.output).toContain('may not target');
    const tcpByName = await checkAs(member, { name: 'own-port', type: 'tcp', host: 'localhost', port });
    expect(tcpByName.output).toContain('may not target');
    const metadata = await checkAs(member, { name: 'metadata', type: 'http', url: 'http://169.254.169.254/latest/meta-data/', timeoutMs: 500 });
    expect(metadata.output).toContain('may not target');
    expect(fake.requests).toBe(before);
  });

  it("lets Watchkeeper's own organization check its host", async () => {
    const owner = await signIn(t.app, { role: 'owner' });
    expect(await checkAs(owner, { name: 'local-app', type: 'http', url: fake.url })).toMatchObject({ status: 'pass' });
  });
});
