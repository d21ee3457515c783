import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SYSTEM_SCOPE } from '../contracts/tenancy.ts';
import { buildServer } from '../server/app.ts';
import { createApiKey, createOrganization, createTestConfig, createTestDatabase, signIn, type TestDatabase } from './helpers.ts';

describe('request.scope(): the organization and project a request acts in', () => {
  let app: FastifyInstance;
  let database: TestDatabase;
  let other: { id: string; projectId: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await buildServer({
      config: createTestConfig({ databaseUrl: database.url, env: { RATE_LIMIT_ENABLED: 'false' } }),
      logger: false,
      startHealthChecks: false,
    });
    // A route as a feature would write it: its repository takes the caller's scope.
    app.get('/test/scope', { config: { access: 'authenticated' } }, async (request) => request.scope());
    await app.ready();
    other = await createOrganization(app);
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('is the system organization and project for a member of the system organization', async () => {
    const user = await signIn(app, { role: 'viewer' });
    expect((await app.inject({ url: '/test/scope', headers: user.headers })).json()).toEqual(SYSTEM_SCOPE);
  });

  it("is the user's organization and its first project, or the project named by X-Project", async () => {
    const user = await signIn(app, { role: 'viewer', organizationId: other.id });
    expect((await app.inject({ url: '/test/scope', headers: user.headers })).json()).toEqual({ organizationId: other.id, projectId: other.projectId });
    const second = await app.database.db
      .insertInto('projects')
      .values({ organization_id: other.id, slug: 'second', name: 'Second' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect((await app.inject({ url: '/test/scope', headers: { ...user.headers, 'x-project': second.id } })).json()).toEqual({
      organizationId: other.id,
      projectId: second.id,
    });
    // A project of another organization does not exist from here.
    expect((await app.inject({ url: '/test/scope', headers: { ...user.headers, 'x-project': SYSTEM_SCOPE.projectId } })).statusCode).toBe(404);
  });

  it('is, for a member of single projects only, the first project they belong to', async () => {
    const second = await app.database.db
      .insertInto('projects')
      .values({ organization_id: other.id, slug: 'members-only', name: 'Members only' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await signIn(app, { role: 'editor', organizationId: other.id, projectId: second.id });
    expect((await app.inject({ url: '/test/scope', headers: user.headers })).json()).toEqual({ organizationId: other.id, projectId: second.id });
  });

  it("is an API key's own organization and project", async () => {
    const key = await createApiKey(app, { organizationId: other.id, projectId: other.projectId, scopes: ['logs:write'] });
    expect((await app.inject({ url: '/test/scope', headers: key.headers })).json()).toEqual({ organizationId: other.id, projectId: other.projectId });
  });
});
