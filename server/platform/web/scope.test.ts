import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ORGANIZATION_ID, SYSTEM_PROJECT_ID } from '../../../contracts/tenancy.ts';
import { buildTestApp, createOrganization, login, createUser, joinOrganization, type TestApp } from '../../../test/helpers.ts';

describe('the header’s organization/project switcher (POST /scope and the wk_scope cookie)', () => {
  let t: TestApp;
  let cookie: string;
  let csrf: Record<string, string>;
  let other: { id: string; projectId: string; secondId: string };

  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/scope',
      payload: form(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', cookie, ...headers },
    });
  /** The scope the server rendered the page in, from the page's hand-over data. */
  const renderedScope = async (scopeCookie?: string) => {
    const page = await t.app.inject({ url: '/services', headers: { cookie: scopeCookie ? `${cookie}; wk_scope=${scopeCookie}` : cookie } });
    expect(page.statusCode).toBe(200);
    const data = JSON.parse(/<script type="application\/json" id="wk-page-data">(.*?)<\/script>/s.exec(page.body)![1]!) as {
      viewer: { scope: { organizationId: string; projectId: string | null; organizations: { id: string; projects: { id: string }[] }[] } };
    };
    return { scope: data.viewer.scope, html: page.body };
  };

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    // An owner of Watchkeeper's own organization who is also an owner of another, with two projects.
    const organization = await createOrganization(t.app);
    const second = await t.app.database.db
      .insertInto('projects')
      .values({ organization_id: organization.id, slug: 'second', name: 'Second' })
      .returning('id')
      .executeTakeFirstOrThrow();
    other = { ...organization, secondId: second.id };
    const user = await createUser(t.app, { role: 'owner' });
    await joinOrganization(t.app, user.id, other.id);
    const session = await login(t.app, user);
    cookie = session.cookie;
    csrf = session.headers;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/services',
      headers: { ...csrf, 'x-organization': other.id, 'x-project': other.secondId },
      payload: { name: 'only-in-second', type: 'tcp', host: 'db.example.test', port: 5432 },
    });
    expect(created.statusCode).toBe(201);
  });
  afterAll(() => t?.close());

  it('renders the pages in the API’s default scope, offering every organization of the user and its projects', async () => {
    const { scope, html } = await renderedScope();
    expect(scope).toMatchObject({ organizationId: SYSTEM_ORGANIZATION_ID, projectId: SYSTEM_PROJECT_ID });
    expect(scope.organizations.map((o) => o.id).sort()).toEqual([SYSTEM_ORGANIZATION_ID, other.id].sort());
    expect(scope.organizations.find((o) => o.id === other.id)!.projects.map((p) => p.id)).toEqual([other.projectId, other.secondId]);
    expect(html).toContain('action="/scope"');
    expect(html).not.toContain('only-in-second');
  });

  it('keeps the choice in a cookie and renders the pages in it, sending the browser back where it was', async () => {
    const answer = await post({ scope: `${other.id}:${other.secondId}`, next: '/services' });
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/services');
    const set = answer.cookies.find((c) => c.name === 'wk_scope')!;
    expect(set).toMatchObject({ value: `${other.id}:${other.secondId}`, httpOnly: true, sameSite: 'Lax', path: '/' });
    const { scope, html } = await renderedScope(set.value);
    expect(scope).toMatchObject({ organizationId: other.id, projectId: other.secondId });
    expect(html).toContain('only-in-second');
  });

  it('ignores a malformed cookie, or one naming what the user no longer sees, and renders the default scope', async () => {
    for (const stale of ['garbage', `${other.id}:${SYSTEM_PROJECT_ID}`, '00000000-0000-4000-8000-00000000dead']) {
      const { scope } = await renderedScope(stale);
      expect(scope.organizationId).toBe(stale.startsWith(other.id) ? other.id : SYSTEM_ORGANIZATION_ID);
      expect(scope.projectId).toBe(stale.startsWith(other.id) ? other.projectId : SYSTEM_PROJECT_ID);
    }
  });

  it('refuses an organization the user is not a member of, a project of another organization, and a malformed choice', async () => {
    const stranger = await createOrganization(t.app);
    const notMember = await post({ scope: stranger.id });
    expect(notMember.statusCode).toBe(403);
    expect(notMember.json()).toMatchObject({ code: 'WK_ERR_NOT_A_MEMBER' });
    const elsewhere = await post({ scope: `${other.id}:${SYSTEM_PROJECT_ID}` });
    expect(elsewhere.statusCode).toBe(404);
    expect(elsewhere.json()).toMatchObject({ code: 'WK_ERR_PROJECT_NOT_FOUND' });
    const malformed = await post({ scope: 'default' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ errors: [{ pointer: '/body/scope' }] });
    for (const refused of [notMember, elsewhere, malformed]) expect(refused.cookies.find((c) => c.name === 'wk_scope')).toBeUndefined();
  });

  it('refuses the form from another site, returns only to a local path, and sends a visitor to sign in', async () => {
    const crossSite = await post({ scope: other.id }, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.cookies.find((c) => c.name === 'wk_scope')).toBeUndefined();
    const offSite = await post({ scope: `${other.id}:${other.projectId}`, next: '//evil.example/' });
    expect(offSite.headers.location).toBe('/');
    const visitor = await post({ scope: other.id, next: '/services' }, { cookie: '' });
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe('/sign-in?next=%2Fservices');
  });
});
