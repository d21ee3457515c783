/**
 * The Pushgateway API over real HTTP on loopback, against real PostgreSQL, pushed to by the real
 * prom-client Pushgateway client: PUT, POST and DELETE semantics, the key as a bearer token or a
 * Basic password, the pushed series on /metrics with their group's labels, the protobuf format,
 * and refusals that name the line, the metric or the limit — with nothing of a refused push stored.
 */
import { gzipSync } from 'node:zlib';
import { Counter, Gauge, Histogram, Pushgateway, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createApiKey, createOrganization, type TestApp } from '../../../../test/helpers.ts';
import { encodeProtobufDelimited } from './protobuf-format.ts';

const linesOf = (body: string, name: string) => body.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));

describe('the Pushgateway API (/push/metrics)', () => {
  let t: TestApp;
  let base: string;
  let project: { id: string; projectId: string };
  let key: string;
  const scrape = async () => (await fetch(`${base}/metrics`)).text();
  const push = (path: string, body: string | Uint8Array, init: { method?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${base}/push/metrics/${path}`, {
      method: init.method ?? 'PUT',
      body: body as NonNullable<Parameters<typeof fetch>[1]>['body'],
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain; version=0.0.4', ...init.headers },
    });

  beforeAll(async () => {
    t = await buildTestApp({ env: { RATE_LIMIT_ENABLED: 'false', METRICS_PUSH_MAX_SERIES_PER_METRIC: '50', METRICS_PUSH_MAX_SERIES_PER_PROJECT: '200' } });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    project = await createOrganization(t.app);
    key = (await createApiKey(t.app, { organizationId: project.id, projectId: project.projectId, scopes: ['metrics:write'] })).key;
  });
  afterAll(() => t.close());

  it('takes a push from prom-client’s Pushgateway and exports it on /metrics with job, grouping labels, instance and project', async () => {
    const registry = new Registry();
    const processed = new Counter({ name: 'orders_processed_total', help: 'Orders processed', labelNames: ['queue'], registers: [registry] });
    processed.inc({ queue: 'fast' }, 3);
    processed.inc({ queue: 'slow' }, 1);
    const lastRun = new Gauge({ name: 'nightly_last_success_seconds', help: 'When the job last succeeded', registers: [registry] });
    lastRun.set(1_760_000_000);
    const duration = new Histogram({ name: 'nightly_duration_seconds', help: 'How long the job took', buckets: [1, 10], registers: [registry] });
    duration.observe(4);

    const gateway = new Pushgateway(`${base}/push`, { headers: { authorization: `Bearer ${key}` } }, registry);
    const { resp } = await gateway.pushAdd({ jobName: 'nightly', groupings: { shard: 'eu-1' } });
    expect((resp as { statusCode: number }).statusCode).toBe(200);

    const body = await scrape();
    const labels = `queue="fast",instance="",job="nightly",shard="eu-1",watchkeeper_project="${project.projectId}"`;
    expect(body).toContain('# TYPE orders_processed_total counter');
    expect(body).toContain(`orders_processed_total{${labels}} 3`);
    expect(body).toContain(`nightly_duration_seconds_bucket{le="10",instance="",job="nightly",shard="eu-1",watchkeeper_project="${project.projectId}"} 1`);
    expect(body).toContain(`nightly_duration_seconds_bucket{le="+Inf",instance="",job="nightly",shard="eu-1",watchkeeper_project="${project.projectId}"} 1`);
    expect(linesOf(body, 'push_time_seconds')).toEqual([
      expect.stringMatching(
        new RegExp(`^push_time_seconds\\{instance="",job="nightly",shard="eu-1",watchkeeper_project="${project.projectId}"\\} \\d+(\\.\\d+)?$`),
      ),
    ]);
    expect(body).toContain(`push_failure_time_seconds{instance="",job="nightly",shard="eu-1",watchkeeper_project="${project.projectId}"} 0`);
  });

  it('replaces the whole group on PUT, only the named families on POST, and deletes it on DELETE', async () => {
    const two = '# TYPE a_total counter\na_total 1\n# TYPE b gauge\nb 2\n';
    expect((await push('job/semantics', two)).status).toBe(200);
    expect((await push('job/semantics', '# TYPE b gauge\nb 5\n', { method: 'POST' })).status).toBe(200);
    let body = await scrape();
    expect(linesOf(body, 'a_total')).toHaveLength(1);
    expect(linesOf(body, 'b')).toEqual([expect.stringMatching(/^b\{.*job="semantics".*\} 5$/)]);

    expect((await push('job/semantics', '# TYPE b gauge\nb 7\n')).status).toBe(200);
    body = await scrape();
    expect(linesOf(body, 'a_total')).toEqual([]);
    expect(linesOf(body, 'b')).toEqual([expect.stringMatching(/ 7$/)]);

    const deleted = await push('job/semantics', '', { method: 'DELETE' });
    expect(deleted.status).toBe(202);
    expect(linesOf(await scrape(), 'b')).toEqual([]);
  });

  it('accepts the API key as the password of Basic auth, and values in the path as base64 (a value with a slash)', async () => {
    const basic = `Basic ${Buffer.from(`anyone:${key}`).toString('base64')}`;
    const path = `job/basic/path@base64/${Buffer.from('/var/backups').toString('base64url')}`;
    const response = await push(path, 'backup_bytes 1024\n', { headers: { authorization: basic } });
    expect(response.status).toBe(200);
    expect(await scrape()).toMatch(/^backup_bytes\{instance="",job="basic",path="\/var\/backups",watchkeeper_project="[0-9a-f-]+"\} 1024$/m);
  });

  it('takes the delimited protobuf format and gzip bodies', async () => {
    const bytes = encodeProtobufDelimited([
      { name: 'proto_jobs_total', help: 'Jobs', type: 'COUNTER', metric: [{ label: [{ name: 'kind', value: 'x' }], counter: { value: 9 } }] },
      {
        name: 'proto_latency_seconds',
        help: 'Latency',
        type: 'HISTOGRAM',
        metric: [{ histogram: { sample_count: 4, sample_sum: 2.5, bucket: [{ cumulative_count: 3, upper_bound: 0.5 }] } }],
      },
    ]);
    const response = await push('job/proto', bytes, {
      headers: { 'content-type': 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited' },
    });
    expect(response.status).toBe(200);
    const gzipped = await push('job/gzipped', gzipSync('gz_value 3\n'), { headers: { 'content-encoding': 'gzip' } });
    expect(gzipped.status).toBe(200);
    const body = await scrape();
    expect(body).toMatch(/^proto_jobs_total\{kind="x",instance="",job="proto",.*\} 9$/m);
    expect(body).toMatch(/^proto_latency_seconds_bucket\{le="\+Inf",instance="",job="proto",.*\} 4$/m);
    expect(body).toMatch(/^proto_latency_seconds_count\{.*job="proto".*\} 4$/m);
    expect(body).toMatch(/^gz_value\{instance="",job="gzipped",.*\} 3$/m);
  });

  it('merges a pushed family of a name Watchkeeper exports too (prom-client’s defaults) into one family', async () => {
    expect(
      (await push('job/defaults', '# HELP process_cpu_seconds_total cpu\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12\n')).status,
    ).toBe(200);
    const body = await scrape();
    expect(body.match(/^# TYPE process_cpu_seconds_total /gm)).toHaveLength(1);
    expect(linesOf(body, 'process_cpu_seconds_total')).toEqual([
      expect.stringMatching(/^process_cpu_seconds_total [\d.e+-]+$/),
      expect.stringMatching(/job="defaults".* 12$/),
    ]);
  });

  describe('refuses, storing nothing', () => {
    const problem = async (response: Response) => ({
      status: response.status,
      contentType: response.headers.get('content-type'),
      ...((await response.json()) as { code: string; detail: string; errors?: { pointer: string }[] }),
    });

    it('a syntax error, naming its line', async () => {
      const refused = await problem(await push('job/broken', '# TYPE ok gauge\nok 1\nbroken{label="x" 2\n'));
      expect(refused).toMatchObject({
        status: 400,
        contentType: 'application/problem+json',
        code: 'WK_ERR_PUSH_INVALID',
        errors: [{ pointer: '/body/line/3' }],
      });
      expect(refused.detail).toMatch(/^line 3: /);
      expect(linesOf(await scrape(), 'ok')).toEqual([]);
    });

    it.each([
      ['an invalid metric name', '# TYPE 1bad gauge\n', /not a valid metric name/],
      ['a reserved label name', 'x{__name__="y"} 1\n', /reserved/],
      ['a timestamp', 'x 1 1700000000000\n', /timestamp/],
      ['a duplicate series', 'x{a="1"} 1\nx{a="1"} 2\n', /twice/],
      ['a histogram without a +Inf bucket', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /\+Inf/],
      ['an unknown type', '# TYPE x meter\nx 1\n', /unknown type/],
      ['a name in Watchkeeper’s namespace', 'watchkeeper_fake 1\n', /reserved/],
      [
        'a series of Watchkeeper’s own under another type',
        '# TYPE process_cpu_seconds_total gauge\nprocess_cpu_seconds_total 1\n',
        /Watchkeeper's own counter/,
      ],
      ['the project label', 'x{watchkeeper_project="other"} 1\n', /reserved/],
    ])('%s', async (_what, body, detail) => {
      const refused = await problem(await push('job/refused', body));
      expect(refused).toMatchObject({ status: 400, code: 'WK_ERR_PUSH_INVALID' });
      expect(refused.detail).toMatch(detail);
    });

    it('a grouping key that is not job/<job>{/<label>/<value>}', async () => {
      for (const path of ['nojob/x', 'job/a/odd', 'job/a/bad-label/x', 'job/']) {
        const refused = await problem(await push(path, 'x 1\n'));
        expect(refused, path).toMatchObject({ status: 400, code: 'WK_ERR_PUSH_INVALID', errors: [{ pointer: '/params/*' }] });
      }
    });

    it('a metric pushed with another type than another group of the project gave it', async () => {
      expect((await push('job/typed-a', '# TYPE shared_metric gauge\nshared_metric 1\n')).status).toBe(200);
      const refused = await problem(await push('job/typed-b', '# TYPE shared_metric counter\nshared_metric 1\n'));
      expect(refused).toMatchObject({ status: 409, code: 'WK_ERR_PUSH_TYPE_CONFLICT' });
      expect(refused.detail).toContain('shared_metric');
    });

    it('a label explosion: over the per-metric limit, naming the metric and the limit, keeping what was stored; and over the project’s', async () => {
      const series = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `exploding{user="u${from + i}"} 1`).join('\n') + '\n';
      expect((await push('job/explode', series(40))).status).toBe(200);
      const refused = await problem(await push('job/explode-more', series(20, 100)));
      expect(refused).toMatchObject({ status: 409, code: 'WK_ERR_PUSH_SERIES_LIMIT' });
      expect(refused.detail).toMatch(/exploding would have 60 series.*50/);
      const body = await scrape();
      expect(linesOf(body, 'exploding')).toHaveLength(40);
      // The failed group did not exist before, so it has no push_failure_time_seconds either.
      expect(body).not.toContain('job="explode-more"');
      // A push that shrinks an over-limit metric is taken.
      expect((await push('job/explode', series(10))).status).toBe(200);

      const wide = (job: string) => Array.from({ length: 45 }, (_, i) => `wide_${job}{i="${i}"} 1`).join('\n') + '\n';
      let refusedProject: Awaited<ReturnType<typeof problem>> | undefined;
      for (const job of ['p1', 'p2', 'p3', 'p4', 'p5']) {
        const response = await push(`job/${job}`, wide(job));
        if (response.status !== 200) {
          refusedProject = await problem(response);
          break;
        }
      }
      expect(refusedProject).toMatchObject({ status: 409, code: 'WK_ERR_PUSH_SERIES_LIMIT' });
      expect(refusedProject!.detail).toMatch(/a project may have 200/);
    });

    it('marks a failed push to an existing group in push_failure_time_seconds, keeping its metrics', async () => {
      expect((await push('job/failing', 'kept_value 1\n')).status).toBe(200);
      expect((await push('job/failing', 'kept_value{ 2\n')).status).toBe(400);
      const body = await scrape();
      expect(body).toMatch(/^kept_value\{.*job="failing".*\} 1$/m);
      expect(body).toMatch(/^push_failure_time_seconds\{instance="",job="failing",.*\} [1-9]/m);
    });

    it('a key without metrics:write, and no key', async () => {
      const reader = await createApiKey(t.app, { organizationId: project.id, projectId: project.projectId, scopes: ['metrics:read'] });
      expect((await push('job/x', 'x 1\n', { headers: { authorization: `Bearer ${reader.key}` } })).status).toBe(403);
      const anonymous = await fetch(`${base}/push/metrics/job/x`, { method: 'PUT', body: 'x 1\n' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    });

    it('a body over METRICS_PUSH_MAX_BODY_BYTES, also once decompressed', async () => {
      const big = 'x 1\n'.repeat(1_200_000);
      expect((await push('job/big', big)).status).toBe(413);
      expect((await push('job/big', gzipSync(big), { headers: { 'content-encoding': 'gzip' } })).status).toBe(413);
    });
  });

  it('records each accepted push as points of the project’s time series, and nothing of a refused one', async () => {
    const reader = (await createApiKey(t.app, { organizationId: project.id, projectId: project.projectId, scopes: ['metrics:read'] })).headers;
    const series = async (metric: string, match = '') =>
      (
        (await (await fetch(`${base}/api/metrics/query?metric=${metric}&aggregation=last${match}`, { headers: reader })).json()) as {
          series: { labels: object; points: [number, number][] }[];
        }
      ).series;
    expect(
      (await push('job/recorded/shard/eu', '# TYPE queue_depth gauge\nqueue_depth{queue="a"} 7\n# TYPE job_runs_total counter\njob_runs_total 3\n')).status,
    ).toBe(200);
    expect(await series('queue_depth')).toEqual([{ labels: { job: 'recorded', shard: 'eu', queue: 'a' }, points: [[expect.any(Number), 7]] }]);
    expect((await series('job_runs_total', '&match=job=recorded'))[0]!.points[0]![1]).toBe(3);

    // Over the per-metric limit (50): refused, and no point of it is written.
    const many = Array.from({ length: 60 }, (_, i) => `refused_series{i="${i}"} 1`).join('\n') + '\n';
    expect((await push('job/recorded-refused', many)).status).toBe(409);
    expect(await series('refused_series')).toEqual([]);
  });

  it('keeps each project’s pushes apart: the same job in two projects gives two series', async () => {
    const other = await createOrganization(t.app);
    const otherKey = (await createApiKey(t.app, { organizationId: other.id, projectId: other.projectId, scopes: ['metrics:write'] })).key;
    expect((await push('job/same', 'same_job_value 1\n')).status).toBe(200);
    expect((await push('job/same', 'same_job_value 2\n', { headers: { authorization: `Bearer ${otherKey}` } })).status).toBe(200);
    expect(linesOf(await scrape(), 'same_job_value').sort()).toEqual(
      [
        `same_job_value{instance="",job="same",watchkeeper_project="${project.projectId}"} 1`,
        `same_job_value{instance="",job="same",watchkeeper_project="${other.projectId}"} 2`,
      ].sort(),
    );
  });
});
