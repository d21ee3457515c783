/**
 * The status page of an organization through its API: settings and incidents written by admins
 * only, validated field by field and audited; the public answer cacheable, absent until enabled,
 * naming only the components chosen, with a 90-day strip drawn from every resolution of history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createOrganization, signIn, type SignedInUser, type TestApp } from '../../../test/helpers.ts';
import { historyStart } from './public-status.ts';

describe('status pages', () => {
  let t: TestApp;
  let org: { id: string; projectId: string };
  let slug: string;
  let admin: SignedInUser;
  let viewer: SignedInUser;
  let editor: SignedInUser;
  let shop: string;
  let secret: string;

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false', SERVICES_TENANT_BLOCKED_NETWORKS: '169.254.0.0/16' } });
    slug = `status-${Date.now().toString(36)}`;
    org = await createOrganization(t.app, { slug });
    admin = await signIn(t.app, { role: 'admin', organizationId: org.id });
    viewer = await signIn(t.app, { role: 'viewer', organizationId: org.id });
    editor = await signIn(t.app, { role: 'editor', organizationId: org.id });
    for (const name of ['shop', 'internal-billing']) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/services',
        headers: admin.headers,
        payload: { name, type: 'tcp', host: '127.0.0.1', port: 1 },
      });
      expect(created.statusCode).toBe(201);
    }
    shop = `${org.projectId}/shop`;
    secret = `${org.projectId}/internal-billing`;
  });
  afterAll(() => t.close());

  const put = (headers: Record<string, string>, payload: object) => t.app.inject({ method: 'PUT', url: '/api/status-page', headers, payload });
  const publicPage = () => t.app.inject({ url: `/api/public/status/${slug}` });
  const createIncident = (payload: object) => t.app.inject({ method: 'POST', url: '/api/incidents', headers: admin.headers, payload });

  it('does not exist publicly until an admin enables it', async () => {
    expect((await publicPage()).statusCode).toBe(404);
    expect((await publicPage()).json().code).toBe('WK_ERR_STATUS_PAGE_NOT_FOUND');
    expect((await put(admin.headers, { enabled: false, title: 'Shop status', components: [shop] })).statusCode).toBe(200);
    expect((await publicPage()).statusCode).toBe(404);
  });

  it("lists the organization's components for the editor, to viewers too", async () => {
    const answer = await t.app.inject({ url: '/api/status-page', headers: viewer.headers });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().slug).toBe(slug);
    expect(answer.json().available.map((c: { key: string }) => c.key)).toEqual(expect.arrayContaining([shop, secret]));
  });

  it('refuses settings from a member without status-pages:write', async () => {
    for (const caller of [viewer, editor]) {
      const refused = await put(caller.headers, { enabled: true, title: 'Mine now', components: [] });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().code).toBe('WK_ERR_PERMISSION_DENIED');
    }
    const incident = await t.app.inject({
      method: 'POST',
      url: '/api/incidents',
      headers: editor.headers,
      payload: { kind: 'incident', title: 'x', impact: 'minor', components: [], message: 'x' },
    });
    expect(incident.statusCode).toBe(403);
  });

  it('names the field of invalid settings', async () => {
    const empty = await put(admin.headers, { enabled: true, title: '  ', components: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors.map((e: { pointer: string }) => e.pointer)).toContain('/body/title');

    const foreign = await put(admin.headers, { enabled: true, title: 'Shop status', components: [shop, '00000000-0000-4000-8000-000000000002/database'] });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors).toEqual([expect.objectContaining({ pointer: '/body/components/1' })]);

    const malformed = await put(admin.headers, { enabled: 'yes', title: 'Shop status', components: ['shop'] });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/body/enabled', '/body/components/0']));
  });

  it('answers publicly once enabled, cacheable, with only the components chosen', async () => {
    const saved = await put(admin.headers, { enabled: true, title: 'Shop status', components: [shop] });
    expect(saved.statusCode).toBe(200);
    const answer = await publicPage();
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('public, max-age=30');
    expect(answer.json()).toMatchObject({ title: 'Shop status', status: 'operational', components: [{ name: 'shop' }] });
    expect(answer.body).not.toContain('internal-billing');
    expect(answer.body).not.toContain(org.projectId);
  });

  it('draws the 90-day strip from raw rows and hourly and daily buckets, with days of no data apart', async () => {
    const start = historyStart(new Date());
    const day = (n: number, hours = 12) => new Date(start.getTime() + n * 86_400_000 + hours * 3_600_000);
    const row = (resolution: 'raw' | '1h' | '1d', at: Date, pass: number, fail: number) => ({
      organization_id: org.id,
      project_id: org.projectId,
      component: 'shop',
      status: fail > 0 ? ('fail' as const) : ('pass' as const),
      latency_ms: 5,
      resolution,
      sample_count: pass + fail,
      pass_count: pass,
      warn_count: 0,
      fail_count: fail,
      checked_at: at,
    });
    await t.app.database.db
      .insertInto('health_samples')
      .values([
        row('1d', day(10, 0), 999, 1),
        row('1h', day(50, 3), 12, 0),
        row('1h', day(50, 4), 6, 6),
        row('raw', day(89, 0), 1, 0),
        row('raw', day(89, 0), 1, 0),
        row('raw', day(89, 0), 1, 0),
        row('raw', day(89, 0), 0, 1),
        // Another component's history, not on the page.
        { ...row('raw', day(89, 0), 0, 1), component: 'internal-billing' },
      ])
      .execute();
    const [component] = (await publicPage()).json().components;
    expect(component.days).toHaveLength(90);
    expect(component.days[0].date).toBe(start.toISOString().slice(0, 10));
    expect(component.days[89].date).toBe(new Date().toISOString().slice(0, 10));
    expect(component.days[10]).toMatchObject({ uptimePercent: 99.9, samples: 1000, failures: 1 });
    expect(component.days[50]).toMatchObject({ uptimePercent: 75, samples: 24, failures: 6 });
    expect(component.days[89]).toMatchObject({ uptimePercent: 75, samples: 4 });
    expect(component.days[11]).toEqual({ date: expect.any(String), uptimePercent: null, samples: 0, failures: 0 });
    expect(component.uptimePercent).toBe(Math.floor((1020 / 1028) * 100_000) / 1000);
  });

  it('shows an incident with its updates while open, and among the past ones once resolved', async () => {
    const offPage = await createIncident({ kind: 'incident', title: 'Billing down', impact: 'major', components: [shop, secret], message: 'Looking' });
    expect(offPage.statusCode).toBe(400);
    expect(offPage.json().errors).toEqual([expect.objectContaining({ pointer: '/body/components/1' })]);
    const untitled = await createIncident({ kind: 'incident', title: '', impact: 'major', components: [shop], message: 'Looking' });
    expect(untitled.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/body/title']);

    const created = await createIncident({
      kind: 'incident',
      title: 'Checkout errors',
      impact: 'minor',
      components: [shop],
      message: 'We are looking into it.',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    let page = (await publicPage()).json();
    expect(page.status).toBe('degraded');
    expect(page.active).toEqual([
      expect.objectContaining({
        title: 'Checkout errors',
        status: 'investigating',
        components: ['shop'],
        updates: [expect.objectContaining({ message: 'We are looking into it.' })],
      }),
    ]);

    const wrong = await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${id}/updates`,
      headers: admin.headers,
      payload: { status: 'completed', message: 'done' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([expect.objectContaining({ pointer: '/body/status' })]);

    const resolved = await t.app.inject({
      method: 'POST',
      url: `/api/incidents/${id}/updates`,
      headers: admin.headers,
      payload: { status: 'resolved', message: 'Fixed.' },
    });
    expect(resolved.statusCode).toBe(201);
    expect(resolved.json().updates.map((u: { status: string }) => u.status)).toEqual(['resolved', 'investigating']);
    page = (await publicPage()).json();
    expect(page.active).toEqual([]);
    expect(page.past[0]).toMatchObject({ id, status: 'resolved' });
    expect(page.status).toBe('operational');
  });

  it('schedules maintenance in a window that ends after it starts', async () => {
    const backwards = await createIncident({
      kind: 'maintenance',
      title: 'Upgrade',
      components: [shop],
      startsAt: '2099-01-02T10:00:00Z',
      endsAt: '2099-01-02T09:00:00Z',
      message: 'x',
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/body/endsAt']);
    const scheduled = await createIncident({
      kind: 'maintenance',
      title: 'Database upgrade',
      components: [shop],
      startsAt: '2099-01-02T10:00',
      endsAt: '2099-01-02T11:00',
      message: 'Brief pause.',
    });
    expect(scheduled.statusCode).toBe(201);
    expect(scheduled.json()).toMatchObject({ status: 'scheduled', startsAt: '2099-01-02T10:00:00.000Z' });
    expect((await publicPage()).json().upcoming).toEqual([expect.objectContaining({ title: 'Database upgrade', components: ['shop'] })]);
  });

  it('edits and deletes incidents, 404 for another organization’s', async () => {
    const created = (await createIncident({ kind: 'incident', title: 'Tpyo', impact: 'none', components: [], message: 'x' })).json();
    const fixed = await t.app.inject({ method: 'PATCH', url: `/api/incidents/${created.id}`, headers: admin.headers, payload: { title: 'Typo' } });
    expect(fixed.json().title).toBe('Typo');
    const other = await createOrganization(t.app);
    const stranger = await signIn(t.app, { role: 'admin', organizationId: other.id });
    expect((await t.app.inject({ url: `/api/incidents/${created.id}`, headers: stranger.headers })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/incidents/${created.id}`, headers: admin.headers })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/incidents/${created.id}`, headers: admin.headers })).statusCode).toBe(404);
  });

  it('audits every change with the change', async () => {
    const actions = await t.app.database.db.selectFrom('audit_log').select('action').where('organization_id', '=', org.id).execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['status-page.update', 'incident.create', 'incident.status-update', 'maintenance.create', 'incident.update', 'incident.delete']),
    );
  });
});
