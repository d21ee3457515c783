/**
 * GET /metrics over real HTTP on loopback, against real PostgreSQL: content negotiation, who may
 * scrape (loopback, METRICS_ALLOW_NETWORKS, a bearer key with metrics:read), and series by route
 * template, never by URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createApiKey, createOrganization, redisAvailability, type TestApp } from '../../../test/helpers.ts';
import { HTTP_DURATION_METRIC } from '../../platform/metrics/index.ts';
import { formatFamily } from './exposition.ts';

const ELSEWHERE = '203.0.113.7';

function seriesOf(body: string, name: string): string[] {
  return body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('GET /metrics', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false' }, startHealthChecks: true });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t.close());

  it('answers the Prometheus text format 0.0.4 by default, from loopback without credentials', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await response.text();
    expect(body).toContain('# TYPE process_cpu_seconds_total counter');
    expect(body).toMatch(/^process_cpu_seconds_total [\d.e+-]+$/m);
    expect(body).toContain('# TYPE watchkeeper_load_shed_requests_total counter');
    expect(body).not.toContain('# EOF');
  });

  it('answers OpenMetrics 1.0.0 when Accept asks for it, counters named without _total on their family, ending with # EOF', async () => {
    const response = await fetch(`${base}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' },
    });
    expect(response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const body = await response.text();
    expect(body.endsWith('# EOF\n')).toBe(true);
    expect(body).toContain('# TYPE process_cpu_seconds counter');
    expect(body).toMatch(/^process_cpu_seconds_total [\d.e+-]+$/m);
    // and the text format afterwards still names its counters right (prom-client renames them in place)
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
  });

  it('exports the database pool, its circuit, the cache, every health component and the HTTP histogram', async () => {
    await fetch(`${base}/health/liveness`);
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(body).toMatch(/^watchkeeper_database_pool_max_connections \d+$/m);
    expect(body).toMatch(/^watchkeeper_database_pool_waiting_requests \d+$/m);
    expect(body).toContain('watchkeeper_database_circuit_state{state="closed"} 1');
    expect(body).toContain('watchkeeper_cache_up{kind="memory"} 1');
    expect(body).toMatch(/^watchkeeper_cache_hits_total\{kind="memory"\} \d+$/m);
    expect(body).toMatch(/^watchkeeper_health_status\{component="database",type="datastore",critical="true"\} 0$/m);
    expect(body).toMatch(/^watchkeeper_health_check_duration_seconds\{component="database"\} [\d.e+-]+$/m);
    expect(body).toMatch(/^http_request_duration_seconds_count\{method="GET",route="\/health\/liveness",status_class="2xx"\} [1-9]\d*$/m);
    expect(body).toMatch(/^http_response_size_bytes_bucket\{method="GET",route="\/health\/liveness",status_class="2xx",le="\+Inf"\} [1-9]\d*$/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds [\d.e+-]+$/m);
  });

  it('times checkouts of the pool and queries by operation and outcome, never by statement', async () => {
    await t.app.database.db.selectFrom('users').select('id').limit(1).execute();
    await t.app.database.pool.query('SELECT no_such_column FROM users').catch(() => undefined);
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(body).toContain('# TYPE watchkeeper_database_pool_acquire_seconds histogram');
    expect(body).toMatch(/^watchkeeper_database_pool_acquire_seconds_count\{outcome="ok"\} [1-9]\d*$/m);
    expect(body).toMatch(/^watchkeeper_database_query_duration_seconds_count\{operation="select",outcome="ok"\} [1-9]\d*$/m);
    expect(body).toMatch(/^watchkeeper_database_query_duration_seconds_count\{operation="select",outcome="error"\} [1-9]\d*$/m);
    const operations = new Set([...body.matchAll(/^watchkeeper_database_query_duration_seconds_count\{operation="([^"]+)"/gm)].map((m) => m[1]));
    for (const operation of operations) expect(['select', 'insert', 'update', 'delete', 'with', 'transaction', 'other']).toContain(operation);
  });

  it('writes each health component as its latest check says, after a check changes it too', async () => {
    const healthLines = (text: string) => text.split('\n').filter((line) => line.startsWith('watchkeeper_health_'));
    const expected = async () => {
      const families = await Promise.all(
        ['watchkeeper_health_status', 'watchkeeper_health_check_duration_seconds'].map((name) => t.app.metrics.getSingleMetric(name)!.get()),
      );
      return families.flatMap((family) => healthLines(formatFamily(family as never, 'text')));
    };
    expect(healthLines(await (await fetch(`${base}/metrics`)).text())).toEqual(await expected());
    await t.app.health.runNow('memory');
    await t.app.health.runNow('database');
    const after = healthLines(await (await fetch(`${base}/metrics`)).text());
    expect(after).toEqual(await expected());
    expect(after.length).toBeGreaterThanOrEqual(2 * t.app.health.list().length - 2);
  });

  it('labels requests by route template, so many distinct URLs and unknown paths add no series', async () => {
    const before = seriesOf(await (await fetch(`${base}/metrics`)).text(), `${HTTP_DURATION_METRIC}_count`).length;
    for (let i = 1; i <= 200; i++) {
      await t.app.inject({ url: `/api/services/a${i}` });
      await t.app.inject({ url: `/no-such-page-${i}` });
    }
    const body = await (await fetch(`${base}/metrics`)).text();
    const series = seriesOf(body, `${HTTP_DURATION_METRIC}_count`);
    expect(series.length).toBeLessThanOrEqual(before + 3); // the template's 401, the unmatched 404s, and /metrics itself
    expect(body).not.toContain('/api/services/a1');
    expect(body).toContain('route="/api/services/:name"');
    expect(body).toContain('route="unmatched"');
    for (let i = 1; i <= 50; i++) await t.app.inject({ url: `/api/services/b${i}` });
    expect(seriesOf(await (await fetch(`${base}/metrics`)).text(), `${HTTP_DURATION_METRIC}_count`)).toHaveLength(series.length);
  });

  describe('from an address outside METRICS_ALLOW_NETWORKS', () => {
    it('answers 401 problem+json without credentials', async () => {
      const response = await t.app.inject({ url: '/metrics', remoteAddress: ELSEWHERE });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ status: 401, code: 'WK_ERR_UNAUTHORIZED' });
    });

    it('serves a bearer API key with the metrics:read scope', async () => {
      const key = await createApiKey(t.app, { scopes: ['metrics:read'] });
      const response = await t.app.inject({ url: '/metrics', remoteAddress: ELSEWHERE, headers: key.headers });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('# TYPE http_request_duration_seconds histogram');
    });

    it('answers 403 to a key without metrics:read, and to a key of another organization that has it', async () => {
      const wrongScope = await createApiKey(t.app, { scopes: ['health:read'] });
      const denied = await t.app.inject({ url: '/metrics', remoteAddress: ELSEWHERE, headers: wrongScope.headers });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({ code: 'WK_ERR_PERMISSION_DENIED' });
      const tenant = await createOrganization(t.app);
      const tenantKey = await createApiKey(t.app, { organizationId: tenant.id, scopes: ['metrics:read'] });
      expect((await t.app.inject({ url: '/metrics', remoteAddress: ELSEWHERE, headers: tenantKey.headers })).statusCode).toBe(403);
    });

    it('answers 401 to an invalid key, even from loopback', async () => {
      const response = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wk_00000000_nope' } });
      expect(response.status).toBe(401);
    });
  });
});

describe('METRICS_ALLOW_NETWORKS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false', METRICS_ALLOW_NETWORKS: '127.0.0.0/8,::1,203.0.113.0/24' } });
  });
  afterAll(() => t.close());

  it('serves the networks it lists without credentials, and no others', async () => {
    expect((await t.app.inject({ url: '/metrics', remoteAddress: '203.0.113.7' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/metrics', remoteAddress: '::ffff:203.0.113.8' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/metrics', remoteAddress: '198.51.100.1' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
  });

  it('refuses an entry that is not a network at boot', async () => {
    await expect(buildTestApp({ env: { METRICS_ALLOW_NETWORKS: '10.0.0.0/33' } })).rejects.toThrow(/METRICS_ALLOW_NETWORKS|10\.0\.0\.0\/33/);
  });

  it('replaces the loopback default: a list without loopback requires the key from loopback too', async () => {
    const closed = await buildTestApp({ env: { METRICS_ALLOW_NETWORKS: '192.0.2.1' } });
    try {
      expect((await closed.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    } finally {
      await closed.close();
    }
  });
});

describe('rate-limit refusals', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_API_POINTS: '2', RATE_LIMIT_ADDRESS_POINTS: '1000' } });
  });
  afterAll(() => t.close());

  it('counts the 429s by the limit that refused them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.app.inject({ url: '/api/users', remoteAddress: '198.51.100.20' })).statusCode);
    expect(statuses).toContain(429);
    const body = (await t.app.inject({ url: '/metrics' })).body;
    const refused = statuses.filter((status) => status === 429).length;
    expect(body).toContain(`watchkeeper_rate_limit_refusals_total{limit="api"} ${refused}`);
    // The first refusal of a window is audited at once, after the answer: wait for its record.
    const audited = /^watchkeeper_audit_events_total\{action="rate-limit\.block",outcome="denied"\} [1-9]\d*$/m;
    let scraped = body;
    for (let i = 0; i < 100 && !audited.test(scraped); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      scraped = (await t.app.inject({ url: '/metrics' })).body;
    }
    expect(scraped).toMatch(audited);
  });
});

const redis = redisAvailability();

describe.skipIf(!redis.available)(`with Redis as the cache ${redis.reason}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ redis: true, env: { RATE_LIMIT_ENABLED: 'false' } });
  });
  afterAll(() => t?.close());

  it('exports the store’s statistics, read once per scrape', async () => {
    await t.app.cache.set('metrics-test', 1);
    await t.app.cache.get('metrics-test');
    const body = (await t.app.inject({ url: '/metrics' })).body;
    expect(body).toContain('watchkeeper_cache_up{kind="redis"} 1');
    expect(body).toMatch(/^watchkeeper_cache_hits_total\{kind="redis"\} [1-9]\d*$/m);
    expect(body).toMatch(/^watchkeeper_cache_keys\{kind="redis"\} [1-9]\d*$/m);
    expect(body).toMatch(/^watchkeeper_cache_memory_used_bytes\{kind="redis"\} [1-9]\d*$/m);
  });
});
