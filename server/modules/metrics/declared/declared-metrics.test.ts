/**
 * Declared metrics against real PostgreSQL over real HTTP: the API (declare, replace, list,
 * remove, audited), the config file's declarations (Watchkeeper's own project, read-only), the
 * Prometheus naming rules, and pushes held to a declaration — type, labels and their values,
 * buckets, a label's distinct values and the metric's own series limit — refused whole with a
 * problem naming the metric and the limit, keeping what was stored.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gauge, Pushgateway, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PROJECT_ID } from '../../../../contracts/tenancy.ts';
import { buildTestApp, createApiKey, createOrganization, type TestApp } from '../../../../test/helpers.ts';

const linesOf = (body: string, name: string) => body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

function configFile(content: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'wk-declared-')), 'watchkeeper.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('declared metrics', () => {
  let t: TestApp;
  let base: string;
  let project: { id: string; projectId: string };
  let headers: Record<string, string>;
  let systemKey: string;
  const api = (path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
    fetch(`${base}/api/metrics/declared${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.headers ?? headers), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const push = (path: string, body: string, key?: string, method = 'PUT') =>
    fetch(`${base}/push/metrics/${path}`, {
      method,
      body,
      headers: { authorization: key ? `Bearer ${key}` : headers.authorization!, 'content-type': 'text/plain; version=0.0.4' },
    });
  const problem = async (response: Response) => ({
    status: response.status,
    contentType: response.headers.get('content-type'),
    ...((await response.json()) as { code?: string; detail?: string; errors?: unknown }),
  });
  const json = async (response: Response) => (await response.json()) as Record<string, unknown>;
  const scrape = async () => (await fetch(`${base}/metrics`)).text();

  beforeAll(async () => {
    const file = configFile({
      declaredMetrics: [
        { name: 'backup_last_success_seconds', help: 'When the backup last succeeded', type: 'gauge', labels: [{ name: 'target', values: ['s3', 'disk'] }] },
      ],
    });
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false', WATCHKEEPER_CONFIG: file, METRICS_PUSH_MAX_SERIES_PER_METRIC: '50' } });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    project = await createOrganization(t.app);
    headers = (await createApiKey(t.app, { organizationId: project.id, projectId: project.projectId, scopes: ['metrics:read', 'metrics:write'] })).headers;
    systemKey = (await createApiKey(t.app, { projectId: SYSTEM_PROJECT_ID, scopes: ['metrics:read', 'metrics:write'] })).key;
  });
  afterAll(() => t?.close());

  describe('the API', () => {
    it('declares (201), replaces (200), lists, reads one and removes (204) a metric, each change in the audit log', async () => {
      const declaration = { help: 'Jobs in the queue', type: 'gauge', labels: [{ name: 'queue', values: ['fast', 'slow'] }] };
      const created = await api('/queue_jobs', { method: 'PUT', body: declaration });
      expect(created.status).toBe(201);
      expect(await json(created)).toMatchObject({ name: 'queue_jobs', source: 'api', ...declaration, updatedAt: expect.any(String) });
      const replaced = await api('/queue_jobs', { method: 'PUT', body: { ...declaration, maxSeries: 10 } });
      expect(replaced.status).toBe(200);
      expect((await json(await api('/queue_jobs'))).maxSeries).toBe(10);
      expect(((await json(await api(''))).items as { name: string }[]).map((m) => m.name)).toContain('queue_jobs');

      expect((await api('/queue_jobs', { method: 'DELETE' })).status).toBe(204);
      expect(await problem(await api('/queue_jobs'))).toMatchObject({ status: 404, code: 'WK_ERR_METRIC_NOT_DECLARED' });
      expect(await problem(await api('/queue_jobs', { method: 'DELETE' }))).toMatchObject({ status: 404, code: 'WK_ERR_METRIC_NOT_DECLARED' });
      const actions = await t.app.database.db.selectFrom('audit_log').select('action').where('target_label', '=', 'queue_jobs').orderBy('seq').execute();
      expect(actions.map((a) => a.action)).toEqual(['metric.declare', 'metric.declare', 'metric.undeclare']);
    });

    it('keeps each project’s declarations apart, and lists the config file’s in Watchkeeper’s own project, read-only', async () => {
      expect(((await json(await api(''))).items as { name: string }[]).map((m) => m.name)).not.toContain('backup_last_success_seconds');
      const system = { authorization: `Bearer ${systemKey}` };
      const listed = (await json(await api('', { headers: system }))).items;
      expect(listed).toContainEqual(expect.objectContaining({ name: 'backup_last_success_seconds', source: 'config', type: 'gauge' }));
      for (const method of ['PUT', 'DELETE']) {
        const refused = await problem(
          await api('/backup_last_success_seconds', { method, headers: system, ...(method === 'PUT' ? { body: { type: 'gauge' } } : {}) }),
        );
        expect(refused).toMatchObject({ status: 409, code: 'WK_ERR_METRIC_DECLARATION_READ_ONLY' });
      }
      // The same name is free in another project.
      expect((await api('/backup_last_success_seconds', { method: 'PUT', body: { type: 'counter' } })).status).toBe(201);
    });

    it('refuses names and labels Prometheus would not take, and inconsistent declarations, naming the field', async () => {
      for (const [path, body, pointer] of [
        ['/1bad', { type: 'gauge' }, '/params/name'],
        ['/__reserved', { type: 'gauge' }, '/params/name'],
        ['/ok_metric', { type: 'gauge', labels: [{ name: 'bad-label' }] }, '/body/labels/0/name'],
        ['/ok_metric', { type: 'gauge', labels: [{ name: '__x' }] }, '/body/labels/0/name'],
        ['/ok_metric', { type: 'gauge', labels: [{ name: 'job' }] }, '/body/labels/0/name'],
        ['/ok_metric', { type: 'gauge', labels: [{ name: 'a' }, { name: 'a' }] }, '/body/labels/1/name'],
        ['/ok_metric', { type: 'gauge', labels: [{ name: 'a', values: ['x'], maxValues: 3 }] }, '/body/labels/0/maxValues'],
        ['/ok_metric', { type: 'histogram', labels: [{ name: 'le' }] }, '/body/labels/0/name'],
        ['/ok_metric', { type: 'gauge', buckets: [1, 2] }, '/body/buckets'],
        ['/ok_metric', { type: 'histogram', buckets: [2, 1] }, '/body/buckets'],
        ['/ok_metric', { type: 'gauge', maxSeries: 0 }, '/body/maxSeries'],
        ['/ok_metric', { type: 'timer' }, '/body/type'],
        ['/ok_metric', { type: 'gauge', extra: true }, '/body'],
      ] as const) {
        const refused = await problem(await api(path, { method: 'PUT', body }));
        expect(refused.status, JSON.stringify(body)).toBe(400);
        expect(refused.contentType).toBe('application/problem+json');
        expect(JSON.stringify(refused.errors), JSON.stringify(body)).toContain(pointer);
      }
    });

    it('refuses help text with a lone surrogate or NUL with 400 naming /body/help, rather than failing in the database', async () => {
      for (const help of ['broken \ud800', 'nul \u0000 inside']) {
        const refused = await problem(await api('/odd_text', { method: 'PUT', body: { help, type: 'histogram' } }));
        expect(refused).toMatchObject({ status: 400, code: 'WK_ERR_UNSTORABLE_TEXT', errors: [{ pointer: '/body/help' }] });
      }
      expect((await api('/odd_text', { method: 'PUT', body: { help: 'emoji 😀 kept whole', type: 'gauge' } })).status).toBe(201);
      expect((await json(await api('/odd_text'))).help).toBe('emoji 😀 kept whole');
    });

    it('is read with metrics:read and changed with metrics:write', async () => {
      const reader = (await createApiKey(t.app, { organizationId: project.id, projectId: project.projectId, scopes: ['metrics:read'] })).headers;
      expect((await api('', { headers: reader })).status).toBe(200);
      expect((await api('/not_mine', { method: 'PUT', body: { type: 'gauge' }, headers: reader })).status).toBe(403);
      expect((await fetch(`${base}/api/metrics/declared`)).status).toBe(401);
    });
  });

  describe('a push held to its metric’s declaration', () => {
    beforeAll(async () => {
      const declare = async (name: string, body: object) => expect((await api(`/${name}`, { method: 'PUT', body })).status).toBe(201);
      await declare('orders_total', { help: 'Orders taken, by region', type: 'counter', labels: [{ name: 'region', values: ['eu', 'us'] }, { name: 'shop' }] });
      await declare('request_seconds', { type: 'histogram', buckets: [0.1, 1], labels: [{ name: 'route' }] });
      await declare('per_customer', { type: 'gauge', labels: [{ name: 'customer', maxValues: 3 }] });
      await declare('small_metric', { type: 'gauge', labels: [{ name: 'i' }], maxSeries: 2 });
    });

    it('takes a push that keeps to it, from prom-client’s Pushgateway, and exports it with the declared help', async () => {
      const registry = new Registry();
      const orders = `# HELP orders_total whatever the job says\n# TYPE orders_total counter\norders_total{region="eu",shop="a"} 3\n`;
      expect((await push('job/shop', orders)).status).toBe(200);
      const body = await scrape();
      expect(body).toContain('# HELP orders_total Orders taken, by region');
      expect(linesOf(body, 'orders_total')).toHaveLength(1);
      // Labels of the grouping key are the group's, declared or not.
      expect((await push('job/shop/instance/i-1', 'orders_total{region="us"} 1\n', undefined, 'POST')).status).toBe(200);
      const gateway = new Pushgateway(`${base}/push`, { headers }, registry);
      new Gauge({ name: 'per_customer', help: 'h', labelNames: ['customer'], registers: [registry] }).set({ customer: 'c1' }, 1);
      expect(((await gateway.pushAdd({ jobName: 'customers' })).resp as { statusCode: number }).statusCode).toBe(200);
    });

    it('refuses another type, an undeclared label, a value not allowed, other buckets — naming the metric, storing nothing', async () => {
      const cases: [string, number, string, RegExp][] = [
        ['# TYPE orders_total gauge\norders_total{region="eu"} 1\n', 409, 'WK_ERR_PUSH_TYPE_CONFLICT', /orders_total is declared a counter/],
        [
          '# TYPE orders_total counter\norders_total{region="eu",user="u1"} 1\n',
          400,
          'WK_ERR_PUSH_INVALID',
          /orders_total: the label "user" is not declared \(declared: region, shop\)/,
        ],
        [
          '# TYPE orders_total counter\norders_total{region="mars"} 1\n',
          400,
          'WK_ERR_PUSH_INVALID',
          /region="mars" is not one of the declared values \(eu, us\)/,
        ],
        [
          '# TYPE request_seconds histogram\nrequest_seconds_bucket{le="0.5"} 1\nrequest_seconds_bucket{le="+Inf"} 1\nrequest_seconds_sum 0.3\nrequest_seconds_count 1\n',
          400,
          'WK_ERR_PUSH_INVALID',
          /request_seconds: the buckets are 0.5,\+Inf; declared 0.1,1,\+Inf/,
        ],
      ];
      for (const [body, status, code, detail] of cases) {
        const refused = await problem(await push('job/refused', body));
        expect(refused, body).toMatchObject({ status, code });
        expect(refused.detail).toMatch(detail);
      }
      const invalid = await problem(await push('job/refused', cases[1]![0]));
      expect(JSON.stringify(invalid.errors)).toContain('/body/orders_total');
      expect(await scrape()).not.toContain('job="refused"');
      const good =
        '# TYPE request_seconds histogram\nrequest_seconds_bucket{le="0.1"} 0\nrequest_seconds_bucket{le="1"} 1\nrequest_seconds_bucket{le="+Inf"} 1\nrequest_seconds_sum 0.3\nrequest_seconds_count 1\n';
      expect((await push('job/latency', good)).status).toBe(200);
    });

    it('refuses a label explosion past maxValues and a metric past its own maxSeries with 409 naming both, keeping what was stored', async () => {
      expect((await push('job/c-a', 'per_customer{customer="c2"} 1\nper_customer{customer="c3"} 1\n')).status).toBe(200);
      const exploded = await problem(await push('job/c-b', 'per_customer{customer="c4"} 1\n'));
      expect(exploded).toMatchObject({ status: 409, code: 'WK_ERR_PUSH_SERIES_LIMIT' });
      expect(exploded.detail).toMatch(/per_customer: the label customer would have 4 values in this project; its declaration allows 3 \(maxValues\)/);
      // A value already there is no new value.
      expect((await push('job/c-b', 'per_customer{customer="c1"} 5\n')).status).toBe(200);
      expect(linesOf(await scrape(), 'per_customer')).toHaveLength(4);

      const small = await problem(await push('job/small', 'small_metric{i="1"} 1\nsmall_metric{i="2"} 1\nsmall_metric{i="3"} 1\n'));
      expect(small).toMatchObject({ status: 409, code: 'WK_ERR_PUSH_SERIES_LIMIT' });
      expect(small.detail).toMatch(/small_metric would have 3 series in this project; its declaration allows 2 \(maxSeries\)/);
    });

    it('holds Watchkeeper’s own project to the config file’s declarations', async () => {
      const refused = await problem(await push('job/backup', 'backup_last_success_seconds{target="tape"} 1\n', systemKey));
      expect(refused).toMatchObject({ status: 400, code: 'WK_ERR_PUSH_INVALID' });
      expect((await push('job/backup', 'backup_last_success_seconds{target="s3"} 1\n', systemKey)).status).toBe(200);
      expect(await scrape()).toContain('# HELP backup_last_success_seconds When the backup last succeeded');
    });
  });
});

describe('METRICS_PUSH_REQUIRE_DECLARED', () => {
  let t: TestApp;
  afterAll(() => t?.close());

  it('refuses a push of a metric the project has not declared, and takes a declared one', async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false', METRICS_PUSH_REQUIRE_DECLARED: 'true' } });
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { headers } = await createApiKey(t.app, { projectId: SYSTEM_PROJECT_ID, scopes: ['metrics:write'] });
    const put = (url: string, body: string, type = 'text/plain') =>
      fetch(`${base}${url}`, { method: 'PUT', body, headers: { ...headers, 'content-type': type } });
    const refused = await put('/push/metrics/job/strict', 'undeclared_metric 1\n');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(
      /undeclared_metric is not declared in this project, and METRICS_PUSH_REQUIRE_DECLARED is on/,
    );
    expect((await put('/api/metrics/declared/undeclared_metric', JSON.stringify({ type: 'untyped' }), 'application/json')).status).toBe(201);
    expect((await put('/push/metrics/job/strict', 'undeclared_metric 1\n')).status).toBe(200);
  });
});
