/**
 * A real Prometheus (Debian's package) scrapes a running Watchkeeper on loopback every second, and
 * its query API returns Watchkeeper's series: the exposition parses in Prometheus itself (which
 * asks for OpenMetrics first), and Prometheus's `authorization` block is how a scraper outside
 * METRICS_ALLOW_NETWORKS authenticates; metrics pushed to Watchkeeper reach Prometheus under the
 * job that pushed them (honor_labels). Skipped without /usr/bin/prometheus, except in CI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gauge, Pushgateway, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, createApiKey, isCI, type TestApp } from './helpers.ts';

const PROMETHEUS = '/usr/bin/prometheus';
const hasPrometheus = existsSync(PROMETHEUS);
if (isCI && !hasPrometheus) throw new Error(`${PROMETHEUS} is missing: CI installs the prometheus package (.ci/run)`);
const note = hasPrometheus ? '' : ' (skipped: no /usr/bin/prometheus; apt-get install -y --no-install-recommends prometheus)';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(!hasPrometheus)(`a real Prometheus scraping /metrics${note}`, () => {
  let t: TestApp;
  let prometheus: ChildProcess;
  let prometheusUrl: string;
  let base: string;
  let output = '';
  const dir = mkdtempSync(join(tmpdir(), 'watchkeeper-prometheus-'));

  beforeAll(async () => {
    // Loopback is not in the list, so the scrape needs its key, as one from another host would.
    t = await buildTestApp({ env: { METRICS_ALLOW_NETWORKS: '192.0.2.1', RATE_LIMIT_ENABLED: 'false' }, startHealthChecks: true });
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const target = new URL(base).host;
    const key = await createApiKey(t.app, { scopes: ['metrics:read'] });
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: watchkeeper',
        // As deploy/prometheus/prometheus.yml: pushed series keep the job that pushed them.
        '    honor_labels: true',
        '    authorization:',
        `      credentials: ${key.key}`,
        '    static_configs:',
        `      - targets: ['${target}']`,
        '  - job_name: watchkeeper-without-key',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
    prometheus.stdout!.on('data', keep);
    prometheus.stderr!.on('data', keep);
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Asks Prometheus until the query returns something (scrapes come every second). */
  async function queryUntilPresent(query: string, deadlineMs = 60_000): Promise<QueryResult[]> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      if (prometheus.exitCode !== null) throw new Error(`prometheus exited ${prometheus.exitCode}: ${output}`);
      try {
        const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
        if (response.ok) {
          const body = (await response.json()) as { data: { result: QueryResult[] } };
          if (body.data.result.length > 0) return body.data.result;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`prometheus returned nothing for ${query}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it('scrapes Watchkeeper with the API key: up is 1, and Watchkeeper’s series are in Prometheus', async () => {
    const [up] = await queryUntilPresent('up{job="watchkeeper"} == 1');
    expect(up!.value[1]).toBe('1');
    const health = await queryUntilPresent('watchkeeper_health_status{job="watchkeeper",component="database"}');
    expect(health[0]!.metric).toMatchObject({ component: 'database', critical: 'true' });
    // Its own scrapes, counted by route template and status class (the keyless job's are the 4xx).
    const scrapes = await queryUntilPresent('http_request_duration_seconds_count{job="watchkeeper",route="/metrics",status_class="2xx"} > 0');
    expect(scrapes[0]!.metric).toMatchObject({ method: 'GET' });
    await queryUntilPresent('http_request_duration_seconds_count{job="watchkeeper",route="/metrics",status_class="4xx"} > 0');
    // A counter keeps its _total name through OpenMetrics, which Prometheus asks for first.
    await queryUntilPresent('process_cpu_seconds_total{job="watchkeeper"}');
  }, 90_000);

  it('has the metrics a job pushed through the Pushgateway API, under the job and labels it pushed with', async () => {
    const registry = new Registry();
    new Gauge({ name: 'nightly_rows_copied', help: 'Rows the nightly job copied', registers: [registry] }).set(4_200);
    const writer = await createApiKey(t.app, { scopes: ['metrics:write'] });
    await new Pushgateway(`${base}/push`, { headers: { authorization: `Bearer ${writer.key}` } }, registry).push({
      jobName: 'nightly',
      groupings: { shard: 'eu-1' },
    });
    const [rows] = await queryUntilPresent('nightly_rows_copied{job="nightly",shard="eu-1"}');
    expect(rows!.value[1]).toBe('4200');
    expect(rows!.metric).toMatchObject({ watchkeeper_project: expect.any(String) });
    // instance="" (as the Pushgateway sets it) is no label at all, not Watchkeeper's address.
    expect(rows!.metric).not.toHaveProperty('instance');
    // Watchkeeper's own series still carry the scrape job.
    await queryUntilPresent('push_time_seconds{job="nightly"}');
    await queryUntilPresent('process_cpu_seconds_total{job="watchkeeper"}');
  }, 90_000);

  it('records the scrape without a key as down (401)', async () => {
    const [down] = await queryUntilPresent('up{job="watchkeeper-without-key"} == 0');
    expect(down!.value[1]).toBe('0');
  }, 90_000);
});
