import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissions as allPermissions } from '../contracts/permissions.ts';
import { SYSTEM_ORGANIZATION_ID, SYSTEM_PROJECT_ID } from '../contracts/tenancy.ts';
import {
  buildTestApp,
  createApiKey,
  createOrganization,
  createUser,
  signIn,
  uniqueName,
  type Credentials,
  type SignedInUser,
  type TestApp,
} from './helpers.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

describe('tenancy: organizations, projects, memberships and custom roles', () => {
  let t: TestApp;
  let instanceOwner: SignedInUser;

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    instanceOwner = await signIn(t.app, { role: 'owner' });
  });
  afterAll(() => t.close());

  const call = (as: Credentials, method: Method, url: string, payload?: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...as.headers, ...headers }, ...(payload ? { payload } : {}) });
  const slug = (prefix: string) => uniqueName(prefix).toLowerCase().replaceAll('_', '-');
  const inOrg = (organizationId: string) => ({ 'x-organization': organizationId });

  /** Whether the user's session was marked for rotation: its next use gets a fresh cookie, after which the old one is dead. */
  async function sessionRotated(user: SignedInUser): Promise<boolean> {
    const first = await t.app.inject({ url: '/api/auth/session', headers: user.headers });
    const renewed = first.cookies.some((c) => c.name === 'wk_session' && c.value !== '' && `wk_session=${c.value}` !== user.cookie);
    if (!renewed) return false;
    expect((await t.app.inject({ url: '/api/auth/session', headers: user.headers })).statusCode).toBe(401);
    return true;
  }

  /** A health sample and a state change in this scope: history that deleting the scope must take with it. */
  async function insertHistory({ organizationId, projectId }: { organizationId: string; projectId: string }): Promise<void> {
    const scope = { organization_id: organizationId, project_id: projectId, component: 'x' };
    await t.app.database.db
      .insertInto('health_samples')
      .values({
        ...scope,
        status: 'pass',
        latency_ms: 1,
        resolution: 'raw',
        sample_count: 1,
        pass_count: 1,
        warn_count: 0,
        fail_count: 0,
        latency_p95_ms: null,
        latency_max_ms: null,
        output: null,
        checked_at: new Date(),
      })
      .execute();
    await t.app.database.db
      .insertInto('health_events')
      .values({ ...scope, kind: 'transition', from_status: 'pass', to_status: 'fail', output: null, occurred_at: new Date() })
      .execute();
  }

  async function auditActions(): Promise<string[]> {
    return (await t.app.database.db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);
  }

  describe('organizations', () => {
    it('creates an organization with a default project and makes its creator owner', async () => {
      const created = await call(instanceOwner, 'POST', '/api/organizations', { slug: slug('acme'), name: 'Acme Ltd' });
      expect(created.statusCode).toBe(201);
      const org = created.json();
      expect(org).toMatchObject({ name: 'Acme Ltd', defaultProjectId: expect.any(String) });

      const mine = (await call(instanceOwner, 'GET', '/api/organizations')).json().items;
      expect(mine.find((o: { id: string }) => o.id === org.id)).toMatchObject({ slug: org.slug, name: 'Acme Ltd', role: 'owner', projectRoles: [] });
      expect(mine.find((o: { id: string }) => o.id === SYSTEM_ORGANIZATION_ID)).toMatchObject({ role: 'owner' });

      const projects = (await call(instanceOwner, 'GET', '/api/projects', undefined, inOrg(org.id))).json().items;
      expect(projects).toEqual([expect.objectContaining({ id: org.defaultProjectId, slug: 'default', name: 'Default', organizationId: org.id })]);
      expect(await auditActions()).toContain('organization.create');
    });

    it('answers 409 naming /body/slug for a taken slug, and 400 for a malformed one', async () => {
      const taken = await call(instanceOwner, 'POST', '/api/organizations', { slug: 'system', name: 'Another' });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().errors[0].pointer).toBe('/body/slug');
      for (const bad of ['A-Upper', 'x', '-dash', 'has space', 'a'.repeat(64)]) {
        const response = await call(instanceOwner, 'POST', '/api/organizations', { slug: bad, name: 'Bad' });
        expect(response.statusCode, bad).toBe(400);
        expect(response.json().errors[0].pointer).toBe('/body/slug');
      }
      expect((await call(instanceOwner, 'POST', '/api/organizations', { slug: slug('ctl'), name: 'a\u0000b' })).statusCode).toBe(400);
    });

    it('lets only the instance’s owners create organizations', async () => {
      const tenant = await createOrganization(t.app);
      const tenantOwner = await signIn(t.app, { role: 'owner', organizationId: tenant.id });
      expect((await call(tenantOwner, 'POST', '/api/organizations', { slug: slug('mine'), name: 'Mine' })).statusCode).toBe(403);
      const systemAdmin = await signIn(t.app, { role: 'admin' });
      expect((await call(systemAdmin, 'POST', '/api/organizations', { slug: slug('mine'), name: 'Mine' })).statusCode).toBe(403);
    });

    it('makes the creator of an API key owner of the organization the key creates', async () => {
      const creator = await createUser(t.app, { role: 'owner' });
      const key = await createApiKey(t.app, { scopes: ['organizations:write'], createdBy: creator.id });
      const created = await call(key, 'POST', '/api/organizations', { slug: slug('by-key'), name: 'By key' });
      expect(created.statusCode).toBe(201);
      const grants = await t.app.auth.memberships.grantsOf(creator.id);
      expect(grants.find((g) => g.organizationId === created.json().id)).toMatchObject({ roleName: 'owner', projectId: null });
    });

    it("lists an API key's own organization only", async () => {
      const tenant = await createOrganization(t.app);
      const key = await createApiKey(t.app, { organizationId: tenant.id, scopes: ['projects:read'] });
      const items = (await call(key, 'GET', '/api/organizations')).json().items;
      expect(items).toEqual([expect.objectContaining({ id: tenant.id, role: null })]);
    });

    it('lists a member of single projects with their project roles', async () => {
      const tenant = await createOrganization(t.app);
      const member = await signIn(t.app, { role: 'editor', organizationId: tenant.id, projectId: tenant.projectId });
      const items = (await call(member, 'GET', '/api/organizations')).json().items;
      expect(items).toEqual([expect.objectContaining({ id: tenant.id, role: null, projectRoles: [{ projectId: tenant.projectId, role: 'editor' }] })]);
    });

    it('renames an organization for its owner, whichever organization the request acts in', async () => {
      const org = (await call(instanceOwner, 'POST', '/api/organizations', { slug: slug('rename'), name: 'Before' })).json();
      const renamed = await call(instanceOwner, 'PATCH', `/api/organizations/${org.id}`, { name: 'After' });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ id: org.id, slug: org.slug, name: 'After' });
      const newSlug = slug('renamed');
      expect((await call(instanceOwner, 'PATCH', `/api/organizations/${org.id}`, { slug: newSlug })).json().slug).toBe(newSlug);
      expect((await call(instanceOwner, 'PATCH', `/api/organizations/${org.id}`, { slug: 'system' })).statusCode).toBe(409);
      expect((await call(instanceOwner, 'PATCH', `/api/organizations/${org.id}`, {})).statusCode).toBe(400);
      expect(await auditActions()).toContain('organization.update');
    });

    it('answers 404 to a non-member changing or deleting an organization, the same as for an unknown one', async () => {
      const tenant = await createOrganization(t.app);
      const outsider = await signIn(t.app, { role: 'owner' });
      for (const method of ['PATCH', 'DELETE'] as const) {
        const payload = method === 'PATCH' ? { name: 'Taken over' } : undefined;
        const theirs = await call(outsider, method, `/api/organizations/${tenant.id}`, payload);
        expect(theirs.statusCode).toBe(404);
        const unknown = await call(outsider, method, `/api/organizations/${randomUUID()}`, payload);
        expect({ ...theirs.json(), requestId: undefined, instance: undefined }).toEqual({ ...unknown.json(), requestId: undefined, instance: undefined });
      }
      expect((await call(outsider, 'PATCH', '/api/organizations/not-a-uuid', { name: 'x' })).statusCode).toBe(400);
    });

    it('answers 403 to a member without organizations:write there, and to a project-scoped owner', async () => {
      const tenant = await createOrganization(t.app);
      const admin = await signIn(t.app, { role: 'admin', organizationId: tenant.id });
      expect((await call(admin, 'PATCH', `/api/organizations/${tenant.id}`, { name: 'Nope' })).statusCode).toBe(403);
      expect((await call(admin, 'DELETE', `/api/organizations/${tenant.id}`)).statusCode).toBe(403);
      const projectOwner = await signIn(t.app, { role: 'owner', organizationId: tenant.id, projectId: tenant.projectId });
      expect((await call(projectOwner, 'PATCH', `/api/organizations/${tenant.id}`, { name: 'Nope' })).statusCode).toBe(403);
      const key = await createApiKey(t.app, { organizationId: tenant.id, scopes: ['organizations:read'] });
      expect((await call(key, 'PATCH', `/api/organizations/${tenant.id}`, { name: 'Nope' })).statusCode).toBe(403);
    });

    it('never deletes the system organization', async () => {
      expect((await call(instanceOwner, 'DELETE', `/api/organizations/${SYSTEM_ORGANIZATION_ID}`)).statusCode).toBe(409);
    });

    it('deletes an organization with its projects, memberships and health history, and rotates its members’ sessions', async () => {
      const tenant = await createOrganization(t.app);
      const owner = await signIn(t.app, { role: 'owner', organizationId: tenant.id });
      const member = await signIn(t.app, { role: 'viewer', organizationId: tenant.id });
      await insertHistory({ organizationId: tenant.id, projectId: tenant.projectId });

      expect((await call(owner, 'DELETE', `/api/organizations/${tenant.id}`)).statusCode).toBe(204);
      const db = t.app.database.db;
      expect(await db.selectFrom('projects').select('id').where('organization_id', '=', tenant.id).execute()).toEqual([]);
      expect(await db.selectFrom('memberships').select('id').where('organization_id', '=', tenant.id).execute()).toEqual([]);
      expect(await db.selectFrom('health_samples').select('id').where('organization_id', '=', tenant.id).execute()).toEqual([]);
      expect(await db.selectFrom('health_events').select('id').where('organization_id', '=', tenant.id).execute()).toEqual([]);
      expect(await sessionRotated(member)).toBe(true);
      expect((await call(owner, 'GET', '/api/organizations')).json().items).toEqual([]);
      expect(await auditActions()).toContain('organization.delete');
    });
  });

  describe('projects', () => {
    let tenant: { id: string; projectId: string };
    let admin: SignedInUser;
    beforeAll(async () => {
      tenant = await createOrganization(t.app);
      admin = await signIn(t.app, { role: 'admin', organizationId: tenant.id });
    });

    it('creates, reads, renames and deletes a project of the acting organization', async () => {
      const created = await call(admin, 'POST', '/api/projects', { slug: 'web', name: 'Website' });
      expect(created.statusCode).toBe(201);
      const project = created.json();
      expect(project).toMatchObject({ organizationId: tenant.id, slug: 'web', name: 'Website' });
      expect((await call(admin, 'GET', `/api/projects/${project.id}`)).json()).toEqual(project);
      expect((await call(admin, 'GET', '/api/projects')).json().items.map((p: { id: string }) => p.id)).toEqual([tenant.projectId, project.id]);
      expect((await call(admin, 'PATCH', `/api/projects/${project.id}`, { name: 'Web site', slug: 'site' })).json()).toMatchObject({
        name: 'Web site',
        slug: 'site',
      });
      expect((await call(admin, 'DELETE', `/api/projects/${project.id}`)).statusCode).toBe(204);
      expect((await call(admin, 'GET', `/api/projects/${project.id}`)).statusCode).toBe(404);
      expect(await auditActions()).toEqual(expect.arrayContaining(['project.create', 'project.update', 'project.delete']));
    });

    it('answers 409 naming /body/slug for a slug taken in the organization', async () => {
      const taken = await call(admin, 'POST', '/api/projects', { slug: 'default', name: 'Again' });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().errors[0].pointer).toBe('/body/slug');
      const other = (await call(admin, 'POST', '/api/projects', { slug: 'other', name: 'Other' })).json();
      expect((await call(admin, 'PATCH', `/api/projects/${other.id}`, { slug: 'default' })).statusCode).toBe(409);
      await call(admin, 'DELETE', `/api/projects/${other.id}`);
    });

    it('answers 404 for a project of another organization', async () => {
      const foreign = await createOrganization(t.app);
      for (const [method, payload] of [['GET'], ['PATCH', { name: 'Mine now' }], ['DELETE']] as const) {
        expect((await call(admin, method, `/api/projects/${foreign.projectId}`, payload)).statusCode, method).toBe(404);
        expect((await call(admin, method, `/api/projects/${SYSTEM_PROJECT_ID}`, payload)).statusCode, method).toBe(404);
      }
      expect((await call(admin, 'GET', '/api/projects/not-a-uuid')).statusCode).toBe(400);
      expect((await t.app.database.db.selectFrom('projects').select('name').where('id', '=', foreign.projectId).executeTakeFirstOrThrow()).name).not.toBe(
        'Mine now',
      );
    });

    it('a project-scoped editor sees only their project', async () => {
      const second = (await call(admin, 'POST', '/api/projects', { slug: 'scoped', name: 'Scoped' })).json();
      const editor = await signIn(t.app, { role: 'editor', organizationId: tenant.id, projectId: second.id });
      expect((await call(editor, 'GET', '/api/projects')).json().items.map((p: { id: string }) => p.id)).toEqual([second.id]);
      expect((await call(editor, 'GET', `/api/projects/${second.id}`)).statusCode).toBe(200);
      expect((await call(editor, 'GET', `/api/projects/${tenant.projectId}`)).statusCode).toBe(403);
      const orgViewer = await signIn(t.app, { role: 'viewer', organizationId: tenant.id });
      expect((await call(orgViewer, 'GET', '/api/projects')).json().items.map((p: { id: string }) => p.id)).toEqual(
        expect.arrayContaining([tenant.projectId, second.id]),
      );
      const key = await createApiKey(t.app, { organizationId: tenant.id, projectId: second.id, scopes: ['projects:read'] });
      expect((await call(key, 'GET', '/api/projects')).json().items.map((p: { id: string }) => p.id)).toEqual([second.id]);
    });

    it('a project-scoped admin cannot create projects, nor change another project, but can rename their own', async () => {
      const own = (await call(admin, 'POST', '/api/projects', { slug: 'admins-own', name: 'Own' })).json();
      const projectAdmin = await signIn(t.app, { role: 'admin', organizationId: tenant.id, projectId: own.id });
      expect((await call(projectAdmin, 'POST', '/api/projects', { slug: 'more', name: 'More' })).statusCode).toBe(403);
      expect((await call(projectAdmin, 'PATCH', `/api/projects/${tenant.projectId}`, { name: 'Hijacked' })).statusCode).toBe(403);
      expect((await call(projectAdmin, 'PATCH', `/api/projects/${own.id}`, { name: 'Renamed' })).statusCode).toBe(200);
      const viewer = await signIn(t.app, { role: 'viewer', organizationId: tenant.id });
      expect((await call(viewer, 'POST', '/api/projects', { slug: 'more', name: 'More' })).statusCode).toBe(403);
    });

    it('never deletes the last project of an organization, nor the system project', async () => {
      const lone = await createOrganization(t.app);
      const loneAdmin = await signIn(t.app, { role: 'admin', organizationId: lone.id });
      expect((await call(loneAdmin, 'DELETE', `/api/projects/${lone.projectId}`)).statusCode).toBe(409);
      expect((await call(instanceOwner, 'DELETE', `/api/projects/${SYSTEM_PROJECT_ID}`)).statusCode).toBe(409);
    });

    it("deletes a project's health history and memberships with it, and rotates its members' sessions", async () => {
      const doomed = (await call(admin, 'POST', '/api/projects', { slug: 'doomed', name: 'Doomed' })).json();
      const member = await signIn(t.app, { role: 'viewer', organizationId: tenant.id, projectId: doomed.id });
      const db = t.app.database.db;
      await insertHistory({ organizationId: tenant.id, projectId: doomed.id });
      expect((await call(admin, 'DELETE', `/api/projects/${doomed.id}`)).statusCode).toBe(204);
      expect(await db.selectFrom('health_samples').select('id').where('project_id', '=', doomed.id).execute()).toEqual([]);
      expect(await db.selectFrom('health_events').select('id').where('project_id', '=', doomed.id).execute()).toEqual([]);
      expect(await db.selectFrom('memberships').select('id').where('project_id', '=', doomed.id).execute()).toEqual([]);
      expect(await sessionRotated(member)).toBe(true);
    });
  });

  describe('memberships', () => {
    let tenant: { id: string; projectId: string };
    let owner: SignedInUser;
    let admin: SignedInUser;
    beforeAll(async () => {
      tenant = await createOrganization(t.app);
      owner = await signIn(t.app, { role: 'owner', organizationId: tenant.id });
      admin = await signIn(t.app, { role: 'admin', organizationId: tenant.id });
    });

    it('gives an existing user of another organization a role here (201), then changes it (200), and lists it', async () => {
      const colleague = await createUser(t.app, { role: 'viewer' });
      const added = await call(admin, 'PUT', '/api/memberships', { email: colleague.email.toUpperCase(), role: 'editor', projectId: null });
      expect(added.statusCode).toBe(201);
      expect(added.json()).toMatchObject({ userId: colleague.id, email: colleague.email, projectId: null, role: 'editor' });
      const changed = await call(admin, 'PUT', '/api/memberships', { email: colleague.email, role: 'viewer', projectId: null });
      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({ id: added.json().id, role: 'viewer' });
      const inProject = await call(admin, 'PUT', '/api/memberships', { email: colleague.email, role: 'editor', projectId: tenant.projectId });
      expect(inProject.statusCode).toBe(201);

      const items = (await call(admin, 'GET', '/api/memberships')).json().items as Array<{ userId: string; projectId: string | null; role: string }>;
      expect(items.filter((m) => m.userId === colleague.id).map((m) => [m.projectId, m.role])).toEqual([
        [null, 'viewer'],
        [tenant.projectId, 'editor'],
      ]);
      // Their membership in the system organization is untouched.
      expect((await t.app.auth.memberships.grantsOf(colleague.id)).find((g) => g.organizationId === SYSTEM_ORGANIZATION_ID)?.roleName).toBe('viewer');
      expect(await auditActions()).toContain('membership.set');
    });

    it('rotates the sessions of a user whose membership changed', async () => {
      const user = await signIn(t.app, { role: 'viewer' });
      const bystander = await signIn(t.app, { role: 'viewer' });
      expect((await call(admin, 'PUT', '/api/memberships', { email: user.email, role: 'editor', projectId: null })).statusCode).toBe(201);
      expect(await sessionRotated(user)).toBe(true);
      expect(await sessionRotated(bystander)).toBe(false);
    });

    it('answers 404 for an unknown email, pointing to POST /api/users', async () => {
      const response = await call(admin, 'PUT', '/api/memberships', { email: 'nobody@example.test', role: 'viewer', projectId: null });
      expect(response.statusCode).toBe(404);
      expect(response.json().detail).toContain('POST /api/users');
    });

    it('answers 400 naming /body/role for a role that does not exist here', async () => {
      const user = await createUser(t.app);
      const elsewhere = await createOrganization(t.app);
      await t.app.auth.memberships.createCustomRole({ organizationId: elsewhere.id, name: 'foreign-role', permissions: ['health:read'] });
      for (const role of ['no-such-role', 'foreign-role']) {
        const response = await call(admin, 'PUT', '/api/memberships', { email: user.email, role, projectId: null });
        expect(response.statusCode, role).toBe(400);
        expect(response.json().errors[0].pointer).toBe('/body/role');
      }
      expect((await call(admin, 'PUT', '/api/memberships', { email: user.email, role: 'viewer' })).statusCode).toBe(400);
      expect((await call(admin, 'PUT', '/api/memberships', { email: user.email, role: 'viewer', projectId: 'nope' })).statusCode).toBe(400);
    });

    it('answers 404 for a project of another organization', async () => {
      const user = await createUser(t.app);
      expect((await call(admin, 'PUT', '/api/memberships', { email: user.email, role: 'viewer', projectId: SYSTEM_PROJECT_ID })).statusCode).toBe(404);
    });

    it('refuses a role the caller does not hold', async () => {
      const user = await createUser(t.app);
      expect((await call(admin, 'PUT', '/api/memberships', { email: user.email, role: 'owner', projectId: null })).statusCode).toBe(403);
      const projectAdmin = await signIn(t.app, { role: 'admin', organizationId: tenant.id, projectId: tenant.projectId });
      // A project's admin holds users:write there only: no organization-wide memberships.
      expect((await call(projectAdmin, 'PUT', '/api/memberships', { email: user.email, role: 'viewer', projectId: null })).statusCode).toBe(403);
      expect((await call(projectAdmin, 'PUT', '/api/memberships', { email: user.email, role: 'viewer', projectId: tenant.projectId })).statusCode).toBe(201);
    });

    it('refuses to change an owner’s membership to a caller who is not an owner, and to change one’s own', async () => {
      expect((await call(admin, 'PUT', '/api/memberships', { email: owner.email, role: 'viewer', projectId: null })).statusCode).toBe(403);
      expect((await call(admin, 'PUT', '/api/memberships', { email: admin.email, role: 'viewer', projectId: null })).statusCode).toBe(409);
    });

    it('removes a membership and rotates the user’s sessions', async () => {
      const user = await signIn(t.app, { role: 'viewer', organizationId: tenant.id });
      const membership = (await call(admin, 'GET', '/api/memberships')).json().items.find((m: { userId: string }) => m.userId === user.id);
      expect((await call(admin, 'DELETE', `/api/memberships/${membership.id}`)).statusCode).toBe(204);
      expect(await t.app.auth.memberships.isMember(user.id, tenant.id)).toBe(false);
      expect(await sessionRotated(user)).toBe(true);
      expect((await call(admin, 'DELETE', `/api/memberships/${membership.id}`)).statusCode).toBe(404);
      expect(await auditActions()).toContain('membership.delete');
    });

    it('answers 404 for a membership of another organization', async () => {
      const foreigner = await createUser(t.app, { role: 'viewer' });
      const [foreign] = await t.app.database.db.selectFrom('memberships').select('id').where('user_id', '=', foreigner.id).execute();
      expect((await call(admin, 'DELETE', `/api/memberships/${foreign!.id}`)).statusCode).toBe(404);
      expect(await t.app.auth.memberships.isMember(foreigner.id, SYSTEM_ORGANIZATION_ID)).toBe(true);
      expect((await call(admin, 'DELETE', '/api/memberships/not-a-uuid')).statusCode).toBe(400);
    });

    it('refuses to remove your own membership, or one whose role you do not hold', async () => {
      const items = (await call(owner, 'GET', '/api/memberships')).json().items as Array<{ id: string; userId: string }>;
      expect((await call(admin, 'DELETE', `/api/memberships/${items.find((m) => m.userId === admin.id)!.id}`)).statusCode).toBe(409);
      expect((await call(admin, 'DELETE', `/api/memberships/${items.find((m) => m.userId === owner.id)!.id}`)).statusCode).toBe(403);
    });

    it('refuses to remove the last owner, or to demote them', async () => {
      const lone = await createOrganization(t.app);
      const loneOwner = await signIn(t.app, { role: 'owner', organizationId: lone.id });
      const coOwner = await signIn(t.app, { role: 'owner', organizationId: lone.id });
      // Holds every permission, so only the last-owner rule can stop them.
      await t.app.auth.memberships.createCustomRole({ organizationId: lone.id, name: 'everything', permissions: [...allPermissions] });
      const superAdmin = await signIn(t.app, { role: 'everything', organizationId: lone.id });
      const ownerships = (await call(superAdmin, 'GET', '/api/memberships')).json().items as Array<{ id: string; userId: string }>;
      const coOwnership = ownerships.find((m) => m.userId === coOwner.id)!;
      const loneOwnership = ownerships.find((m) => m.userId === loneOwner.id)!;

      expect((await call(superAdmin, 'DELETE', `/api/memberships/${coOwnership.id}`)).statusCode).toBe(204);
      const removal = await call(superAdmin, 'DELETE', `/api/memberships/${loneOwnership.id}`);
      expect(removal.statusCode).toBe(409);
      expect(removal.json().detail).toContain('last');
      const demotion = await call(superAdmin, 'PUT', '/api/memberships', { email: loneOwner.email, role: 'admin', projectId: null });
      expect(demotion.statusCode).toBe(409);
      const key = await createApiKey(t.app, { organizationId: lone.id, scopes: [...allPermissions], createdBy: loneOwner.id });
      expect((await call(key, 'DELETE', `/api/memberships/${loneOwnership.id}`)).statusCode).toBe(409);
      expect((await t.app.auth.memberships.grantsOf(loneOwner.id)).map((g) => g.roleName)).toEqual(['owner']);
    });

    it('needs users:write: a viewer is refused', async () => {
      const viewer = await signIn(t.app, { role: 'viewer', organizationId: tenant.id });
      expect((await call(viewer, 'GET', '/api/memberships')).statusCode).toBe(403);
      expect((await call(viewer, 'PUT', '/api/memberships', { email: viewer.email, role: 'viewer', projectId: null })).statusCode).toBe(403);
    });
  });

  describe('custom roles', () => {
    let admin: SignedInUser;
    beforeAll(async () => {
      admin = await signIn(t.app, { role: 'admin' });
    });

    const makeRole = async (permissions: string[]) =>
      (await call(admin, 'POST', '/api/roles', { name: slug('role'), permissions })).json() as { id: string; name: string };

    it('PATCH of a built-in role is 409, and so is DELETE', async () => {
      const builtIn = (await call(admin, 'GET', '/api/roles')).json().items.find((r: { name: string }) => r.name === 'viewer');
      expect((await call(admin, 'PATCH', `/api/roles/${builtIn.id}`, { description: 'mine' })).statusCode).toBe(409);
      expect((await call(admin, 'DELETE', `/api/roles/${builtIn.id}`)).statusCode).toBe(409);
    });

    it('changes a custom role’s description and permissions, and rotates its holders’ sessions', async () => {
      const role = await makeRole(['health:read']);
      const holder = await signIn(t.app, { role: role.name });
      const changed = await call(admin, 'PATCH', `/api/roles/${role.id}`, { description: 'reads audit too', permissions: ['health:read', 'audit:read'] });
      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({ id: role.id, description: 'reads audit too', builtIn: false });
      expect(changed.json().permissions.sort()).toEqual(['audit:read', 'health:read']);
      expect(await sessionRotated(holder)).toBe(true);
      const again = await signIn(t.app, { role: role.name });
      expect((await t.app.inject({ url: '/api/auth/session', headers: again.headers })).json().permissions.sort()).toEqual(['audit:read', 'health:read']);
      expect(await auditActions()).toContain('role.update');
      expect((await call(admin, 'PATCH', `/api/roles/${role.id}`, {})).statusCode).toBe(400);
      expect((await call(admin, 'PATCH', `/api/roles/${role.id}`, { permissions: [] })).statusCode).toBe(400);
    });

    it('refuses to give a role permissions the caller does not hold, or to edit one holding more', async () => {
      const role = await makeRole(['health:read']);
      expect((await call(admin, 'PATCH', `/api/roles/${role.id}`, { permissions: ['organizations:write'] })).statusCode).toBe(403);
      const owner = await signIn(t.app, { role: 'owner' });
      const mighty = (await call(owner, 'POST', '/api/roles', { name: slug('mighty'), permissions: ['organizations:write'] })).json();
      expect((await call(admin, 'PATCH', `/api/roles/${mighty.id}`, { description: 'tamed' })).statusCode).toBe(403);
      expect((await call(admin, 'DELETE', `/api/roles/${mighty.id}`)).statusCode).toBe(403);
    });

    it("answers 404 for another organization's role", async () => {
      const tenant = await createOrganization(t.app);
      const foreign = await t.app.auth.memberships.createCustomRole({ organizationId: tenant.id, name: 'theirs', permissions: ['health:read'] });
      expect((await call(admin, 'PATCH', `/api/roles/${foreign!.id}`, { description: 'mine' })).statusCode).toBe(404);
      expect((await call(admin, 'DELETE', `/api/roles/${foreign!.id}`)).statusCode).toBe(404);
      expect((await call(admin, 'DELETE', `/api/roles/${randomUUID()}`)).statusCode).toBe(404);
      expect((await call(admin, 'DELETE', '/api/roles/not-a-uuid')).statusCode).toBe(400);
    });

    it('refuses to delete a role still held, saying by how many, and deletes it once free', async () => {
      const role = await makeRole(['health:read']);
      await createUser(t.app, { role: role.name });
      await createUser(t.app, { role: role.name });
      const held = await call(admin, 'DELETE', `/api/roles/${role.id}`);
      expect(held.statusCode).toBe(409);
      expect(held.json().detail).toContain('2 memberships');
      await t.app.database.db.deleteFrom('memberships').where('role_id', '=', role.id).execute();
      expect((await call(admin, 'DELETE', `/api/roles/${role.id}`)).statusCode).toBe(204);
      expect((await call(admin, 'GET', '/api/roles')).json().items.map((r: { id: string }) => r.id)).not.toContain(role.id);
      expect(await auditActions()).toContain('role.delete');
    });
  });
});
