import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, createUser, login, signIn, testPassword, type SignedInUser, type TestApp } from './helpers.ts';

describe('administering users and roles', () => {
  let t: TestApp;
  let owner: SignedInUser;
  let admin: SignedInUser;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    owner = await signIn(t.app, { role: 'owner' });
    admin = await signIn(t.app, { role: 'admin' });
  });
  afterAll(() => t.close());

  const inject = (as: SignedInUser, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: as.headers, ...(payload ? { payload } : {}) });

  it('creates a user who can then sign in, and lists them', async () => {
    const password = testPassword();
    const created = await inject(admin, 'POST', '/api/users', { email: 'New.Person@Example.test', password, role: 'editor' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ email: 'new.person@example.test', role: 'editor', disabled: false });
    await login(t.app, { email: 'new.person@example.test', password });
    const list = (await inject(admin, 'GET', '/api/users')).json();
    expect(list.items.map((u: { email: string }) => u.email)).toContain('new.person@example.test');
  });

  it('refuses a taken email with 409 and a weak password with 400', async () => {
    expect((await inject(admin, 'POST', '/api/users', { email: admin.email, password: testPassword() })).statusCode).toBe(409);
    const weak = await inject(admin, 'POST', '/api/users', { email: 'weak@example.test', password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0].pointer).toBe('/body/password');
  });

  it('does not let an admin make an owner, or change an owner', async () => {
    expect((await inject(admin, 'POST', '/api/users', { email: 'boss@example.test', password: testPassword(), role: 'owner' })).statusCode).toBe(403);
    expect((await inject(admin, 'PATCH', `/api/users/${owner.id}`, { disabled: true })).statusCode).toBe(403);
    const viewer = await createUser(t.app);
    expect((await inject(admin, 'PATCH', `/api/users/${viewer.id}`, { role: 'owner' })).statusCode).toBe(403);
    expect((await inject(owner, 'PATCH', `/api/users/${viewer.id}`, { role: 'owner' })).statusCode).toBe(200);
  });

  it('does not let anyone change their own role or disable themselves', async () => {
    expect((await inject(admin, 'PATCH', `/api/users/${admin.id}`, { role: 'viewer' })).statusCode).toBe(409);
  });

  it('disables an account: its sessions end and it cannot sign in; enabling restores sign-in', async () => {
    const user = await signIn(t.app);
    expect((await inject(admin, 'PATCH', `/api/users/${user.id}`, { disabled: true })).json()).toMatchObject({ disabled: true });
    expect((await t.app.inject({ url: '/api/auth/session', headers: user.headers })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } })).statusCode).toBe(401);
    await inject(admin, 'PATCH', `/api/users/${user.id}`, { disabled: false });
    await login(t.app, user);
  });

  it('resets a password: the old one stops working and the user’s sessions end', async () => {
    const user = await signIn(t.app);
    const password = testPassword();
    expect((await inject(admin, 'POST', `/api/users/${user.id}/password`, { password })).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/auth/session', headers: user.headers })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: user.email, password: user.password } })).statusCode).toBe(401);
    await login(t.app, { email: user.email, password });
  });

  it('does not let an administrator of one organization take over, or disable, an account that holds rights in another', async () => {
    const tenant = await createOrganization(t.app);
    const tenantAdmin = await signIn(t.app, { role: 'admin', organizationId: tenant.id });
    // The tenant's admin adds Watchkeeper's owner to the tenant as a viewer: allowed, it grants nothing new …
    expect(
      (
        await t.app.inject({
          method: 'PUT',
          url: '/api/memberships',
          headers: tenantAdmin.headers,
          payload: { email: owner.email, role: 'viewer', projectId: null },
        })
      ).statusCode,
    ).toBe(201);
    // … but the account is the system owner's too: its password and its enabled state are not theirs to change.
    const reset = await inject(tenantAdmin, 'POST', `/api/users/${owner.id}/password`, { password: testPassword() });
    expect(reset.statusCode).toBe(403);
    expect(reset.json().detail).toContain('an organization you do not administer');
    expect((await inject(tenantAdmin, 'PATCH', `/api/users/${owner.id}`, { disabled: true })).statusCode).toBe(403);
    // Nothing changed: the owner's session and password still work.
    expect((await t.app.inject({ url: '/api/auth/session', headers: owner.headers })).statusCode).toBe(200);
    await login(t.app, owner);
  });

  it('refuses the whole change when any part of it is refused', async () => {
    const tenant = await createOrganization(t.app);
    const tenantAdmin = await signIn(t.app, { role: 'admin', organizationId: tenant.id });
    const shared = await createUser(t.app, { role: 'viewer' });
    await t.app.inject({
      method: 'PUT',
      url: '/api/memberships',
      headers: tenantAdmin.headers,
      payload: { email: shared.email, role: 'viewer', projectId: null },
    });
    // The role change alone would be allowed; disabling the account is not, so neither happens.
    expect((await inject(tenantAdmin, 'PATCH', `/api/users/${shared.id}`, { role: 'editor', disabled: true })).statusCode).toBe(403);
    expect((await inject(tenantAdmin, 'GET', '/api/users')).json().items.find((u: { id: string }) => u.id === shared.id)).toMatchObject({
      role: 'viewer',
      disabled: false,
    });
  });

  it("limits a project's administrator to that project's members", async () => {
    const tenant = await createOrganization(t.app);
    const projectAdmin = await signIn(t.app, { role: 'admin', organizationId: tenant.id, projectId: tenant.projectId });
    const orgViewer = await createUser(t.app, { role: 'viewer', organizationId: tenant.id });
    const projectViewer = await createUser(t.app, { role: 'viewer', organizationId: tenant.id, projectId: tenant.projectId });
    // No organization-wide accounts from a project admin, whatever the role …
    expect((await inject(projectAdmin, 'POST', '/api/users', { email: 'org-wide@example.test', password: testPassword(), role: 'viewer' })).statusCode).toBe(
      403,
    );
    expect(
      (
        await inject(projectAdmin, 'POST', '/api/users', {
          email: 'in-project@example.test',
          password: testPassword(),
          role: 'editor',
          projectId: tenant.projectId,
        })
      ).statusCode,
    ).toBe(201);
    // … and no changes to organization-wide members, only to the project's.
    expect((await inject(projectAdmin, 'PATCH', `/api/users/${orgViewer.id}`, { role: 'editor' })).statusCode).toBe(403);
    expect((await inject(projectAdmin, 'PATCH', `/api/users/${projectViewer.id}`, { role: 'editor' })).statusCode).toBe(200);
  });

  it('makes a custom role of named permissions, gives it, and its holder gets exactly those', async () => {
    const created = await inject(admin, 'POST', '/api/roles', {
      name: 'auditor',
      description: 'reads the audit log',
      permissions: ['audit:read', 'health:read'],
    });
    expect(created.statusCode).toBe(201);
    expect((await inject(admin, 'POST', '/api/roles', { name: 'auditor', permissions: ['audit:read'] })).statusCode).toBe(409);
    expect((await inject(admin, 'POST', '/api/roles', { name: 'admin', permissions: ['audit:read'] })).statusCode).toBe(409);
    expect((await inject(admin, 'POST', '/api/roles', { name: 'org-admin', permissions: ['organizations:write'] })).statusCode).toBe(403);

    const roles = (await inject(admin, 'GET', '/api/roles')).json().items;
    expect(roles.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['owner', 'admin', 'editor', 'viewer', 'auditor']));

    const auditor = await signIn(t.app, { role: 'auditor' });
    const session = (await t.app.inject({ url: '/api/auth/session', headers: auditor.headers })).json();
    expect(session.permissions.sort()).toEqual(['audit:read', 'health:read']);
    expect((await t.app.inject({ url: '/api/users', headers: auditor.headers })).statusCode).toBe(403);
  });

  it('refuses user administration to an editor', async () => {
    const editor = await signIn(t.app, { role: 'editor' });
    expect((await inject(editor, 'GET', '/api/users')).statusCode).toBe(403);
    expect((await inject(editor, 'POST', '/api/users', { email: 'x@example.test', password: testPassword() })).statusCode).toBe(403);
  });
});
