/**
 * Every audited change commits in one transaction with its audit record. The database dies (its
 * backend terminated) while the request waits to append the record: the answer is 503
 * problem+json and the change is not there — never a change without its record, nor a client
 * told "failed" about a change that was made.
 */
import type { InjectOptions } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ORGANIZATION_ID } from '../contracts/tenancy.ts';
import { buildTestApp, signIn, testPassword, uniqueName, type SignedInUser, type TestApp } from './helpers.ts';

describe('an audited change whose audit record cannot be written', () => {
  let t: TestApp;
  let admin: pg.Client;
  let owner: SignedInUser;

  beforeAll(async () => {
    t = await buildTestApp();
    admin = new pg.Client({ connectionString: t.database.url });
    await admin.connect();
    owner = await signIn(t.app, { role: 'owner' });
  });
  afterAll(async () => {
    await admin?.end();
    await t?.close();
  });

  const count = async (sql: string, params: unknown[] = []) =>
    Number((await admin.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) q`, params)).rows[0]!.n);
  const auditRecords = (action: string) => count('SELECT 1 FROM audit_log WHERE action = $1', [action]);

  /**
   * Sends the request while another connection holds audit_log locked, waits until the request's
   * backend — the one that has already written (it holds a transaction id) — blocks on that lock,
   * terminates it, then lets go of the lock.
   */
  async function sendAndKillAtTheAuditInsert(options: InjectOptions) {
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE');
    try {
      const response = t.app.inject({ ...options, headers: { ...owner.headers, ...options.headers } });
      let early: string | undefined;
      void response.then((r) => (early = `${r.statusCode} ${r.body}`));
      const pid = await vi.waitFor(
        async () => {
          // Inside this transaction the activity view is a snapshot taken once; look afresh each time.
          expect(early, 'answered before reaching the audit insert').toBeUndefined();
          await admin.query('SELECT pg_stat_clear_snapshot()');
          const { rows } = await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL`,
          );
          expect(rows, 'the request is not waiting at its audit insert inside the transaction of its change').toHaveLength(1);
          return rows[0]!.pid;
        },
        { timeout: 10_000, interval: 20 },
      );
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      return await response;
    } finally {
      await admin.query('ROLLBACK');
    }
  }

  interface Case {
    name: string;
    action: string;
    /** Builds the request (creating what it acts on beforehand) and the count that tells whether the change landed. */
    prepare(): Promise<{ request: InjectOptions; changed: () => Promise<number>; before: number }>;
  }

  const cases: Case[] = [
    {
      name: 'creating a service',
      action: 'service.create',
      async prepare() {
        const name = uniqueName('svc').toLowerCase().replaceAll('_', '-');
        const changed = () => count('SELECT 1 FROM external_services WHERE name = $1', [name]);
        return { request: { method: 'POST', url: '/api/services', payload: { name, type: 'tcp', host: '127.0.0.1', port: 9 } }, changed, before: 0 };
      },
    },
    {
      name: 'deleting a service',
      action: 'service.delete',
      async prepare() {
        const name = uniqueName('svc').toLowerCase().replaceAll('_', '-');
        expect(
          (await t.app.inject({ method: 'POST', url: '/api/services', headers: owner.headers, payload: { name, type: 'tcp', host: '127.0.0.1', port: 9 } }))
            .statusCode,
        ).toBe(201);
        const changed = () => count('SELECT 1 FROM external_services WHERE name = $1', [name]);
        return { request: { method: 'DELETE', url: `/api/services/${name}` }, changed, before: 1 };
      },
    },
    {
      name: 'creating a project',
      action: 'project.create',
      async prepare() {
        const slug = uniqueName('p').toLowerCase().replaceAll('_', '-');
        const changed = () => count('SELECT 1 FROM projects WHERE slug = $1', [slug]);
        return { request: { method: 'POST', url: '/api/projects', payload: { slug, name: slug } }, changed, before: 0 };
      },
    },
    {
      name: 'creating a role',
      action: 'role.create',
      async prepare() {
        const name = uniqueName('role').toLowerCase().replaceAll('_', '-');
        const changed = () => count('SELECT 1 FROM roles WHERE name = $1', [name]);
        return { request: { method: 'POST', url: '/api/roles', payload: { name, permissions: ['health:read'] } }, changed, before: 0 };
      },
    },
    {
      name: 'creating a user',
      action: 'user.create',
      async prepare() {
        const email = `${uniqueName('u').toLowerCase()}@example.test`;
        const changed = () => count('SELECT 1 FROM users WHERE email = $1', [email]);
        return { request: { method: 'POST', url: '/api/users', payload: { email, password: testPassword(), role: 'viewer' } }, changed, before: 0 };
      },
    },
    {
      name: 'creating an API key',
      action: 'api-key.create',
      async prepare() {
        const name = uniqueName('key');
        const changed = () => count('SELECT 1 FROM api_keys WHERE name = $1', [name]);
        return { request: { method: 'POST', url: '/api/api-keys', payload: { name, scopes: ['health:read'] } }, changed, before: 0 };
      },
    },
    {
      name: 'disabling a user',
      action: 'user.disable',
      async prepare() {
        const user = await signIn(t.app, { role: 'viewer' });
        const changed = () => count('SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NOT NULL', [user.id]);
        return { request: { method: 'PATCH', url: `/api/users/${user.id}`, payload: { disabled: true } }, changed, before: 0 };
      },
    },
    {
      name: 'signing out',
      action: 'auth.logout',
      async prepare() {
        const user = await signIn(t.app, { role: 'viewer' });
        const changed = () => count('SELECT 1 FROM sessions WHERE user_id = $1', [user.id]);
        return { request: { method: 'POST', url: '/api/auth/logout', headers: user.headers }, changed, before: 1 };
      },
    },
    {
      name: "changing a user's role (and flagging their sessions for rotation)",
      action: 'user.role.change',
      async prepare() {
        const user = await signIn(t.app, { role: 'viewer' });
        const changed = () => count('SELECT 1 FROM sessions WHERE user_id = $1 AND rotate_required', [user.id]);
        return { request: { method: 'PATCH', url: `/api/users/${user.id}`, payload: { role: 'editor' } }, changed, before: 0 };
      },
    },
    {
      name: 'signing out everywhere',
      action: 'auth.logout-everywhere',
      async prepare() {
        const user = await signIn(t.app, { role: 'viewer' });
        const changed = () => count('SELECT 1 FROM sessions WHERE user_id = $1', [user.id]);
        return { request: { method: 'POST', url: '/api/auth/logout-everywhere', headers: user.headers }, changed, before: 1 };
      },
    },
  ];

  it.each(cases)('$name: answers 503 and the change is rolled back with its record', async ({ action, prepare }) => {
    const { request, changed, before } = await prepare();
    expect(await changed()).toBe(before);
    const recordsBefore = await auditRecords(action);

    const response = await sendAndKillAtTheAuditInsert(request);

    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 503, code: 'WK_ERR_DEPENDENCY_UNAVAILABLE' });
    expect(await changed(), 'the change was committed without its audit record').toBe(before);
    expect(await auditRecords(action)).toBe(recordsBefore);
  });

  it('a service whose creation was rolled back is not checked', async () => {
    const name = uniqueName('svc').toLowerCase().replaceAll('_', '-');
    await sendAndKillAtTheAuditInsert({ method: 'POST', url: '/api/services', payload: { name, type: 'tcp', host: '127.0.0.1', port: 9 } });
    expect(
      t.app.health.has(name, {
        organizationId: SYSTEM_ORGANIZATION_ID,
        projectId: (
          await admin.query<{ id: string }>('SELECT id FROM projects WHERE organization_id = $1 ORDER BY created_at LIMIT 1', [SYSTEM_ORGANIZATION_ID])
        ).rows[0]!.id,
      }),
    ).toBe(false);
  });

  it('the same changes still succeed, each with its record, once the database is back', async () => {
    const name = uniqueName('svc').toLowerCase().replaceAll('_', '-');
    const before = await auditRecords('service.create');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/services',
      headers: owner.headers,
      payload: { name, type: 'tcp', host: '127.0.0.1', port: 9 },
    });
    expect(response.statusCode).toBe(201);
    expect(await auditRecords('service.create')).toBe(before + 1);
  });
});
