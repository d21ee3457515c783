import { sql } from 'kysely';
import { SYSTEM_ORGANIZATION_ID, SYSTEM_PROJECT_ID } from '../../../contracts/tenancy.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, signIn, type SignedInUser, type TestApp } from '../../../test/helpers.ts';

describe('cached service lists', () => {
  let a: TestApp;
  let b: TestApp;
  let user: SignedInUser;
  beforeAll(async () => {
    a = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
    b = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' }, database: a.database });
    user = await signIn(a.app, { role: 'owner' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const names = async (t: TestApp) => {
    const response = await t.app.inject({ url: '/api/services', headers: user.headers });
    expect(response.statusCode).toBe(200);
    return (response.json() as { items: { name: string }[] }).items.map((item) => item.name);
  };
  const create = (t: TestApp, name: string) =>
    t.app.inject({ method: 'POST', url: '/api/services', headers: user.headers, payload: { name, type: 'tcp', host: '127.0.0.1', port: 5432 } });

  it('answers a project’s list from memory until a change to it is heard', async () => {
    expect(await names(b)).not.toContain('unheard');
    // A row written without its notification stays unseen: the list came from memory.
    await sql`ALTER TABLE external_services DISABLE TRIGGER external_services_changed`.execute(a.app.database.db);
    try {
      await a.app.database.db
        .insertInto('external_services')
        .values({
          organization_id: SYSTEM_ORGANIZATION_ID,
          project_id: SYSTEM_PROJECT_ID,
          name: 'unheard',
          definition: JSON.stringify({ type: 'tcp', host: '127.0.0.1', port: 5432 }),
        })
        .execute();
    } finally {
      await sql`ALTER TABLE external_services ENABLE TRIGGER external_services_changed`.execute(a.app.database.db);
    }
    expect(await names(b)).not.toContain('unheard');
    // The next change to the project, made on the other instance, is heard, and the list read again.
    expect((await create(a, 'heard')).statusCode).toBe(201);
    await b.app.database.notifications.sync();
    expect(await names(b)).toEqual(expect.arrayContaining(['unheard', 'heard']));
  });

  it('shows the writer its own change on the very next request', async () => {
    expect(await names(a)).not.toContain('mine');
    expect((await create(a, 'mine')).statusCode).toBe(201);
    expect(await names(a)).toContain('mine');
    expect((await a.app.inject({ method: 'DELETE', url: '/api/services/mine', headers: user.headers })).statusCode).toBe(204);
    expect(await names(a)).not.toContain('mine');
  });
});
