/**
 * The metrics pages in a real browser, over time series written through the repository: each
 * page's charts (uPlot) with their values as tables, the time range changing every chart's query
 * and kept across the pages, a failing chart failing alone with a retry, the explorer narrowing a
 * pushed metric by a label, the page someone without metrics:read sees, and WCAG 2.1 A/AA by axe
 * in the light and the dark theme, with screenshots in docs/screenshots/.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PROJECT_ID } from '../contracts/tenancy.ts';
import { createTimeSeriesRepository, type SampledPoint } from '../server/modules/metrics/timeseries/time-series-repository.ts';
import {
  BROWSER_TEST_TIMEOUT_MS,
  chromiumNote,
  expectAccessible,
  hasChromium,
  hydrated,
  openBrowserSuite,
  pageErrors,
  serviceWorkerControlledPage,
  signIn,
  type BrowserSuite,
} from './browser.ts';
import { createOrganization, createUser, type TestApp, type TestUser } from './helpers.ts';

const INSTANCE = 'wk-test:8080';
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** One sampling round as the sampler would write it, with fixed values a table can be checked against. */
function round(): SampledPoint[] {
  const point = (name: string, value: number, labels: Record<string, string> = {}): SampledPoint => ({
    projectId: SYSTEM_PROJECT_ID,
    name,
    labels: { instance: INSTANCE, ...labels },
    value,
  });
  return [
    point('watchkeeper_process_cpu_ratio', 0.25),
    point('watchkeeper_host_cpu_ratio', 0.5),
    point('watchkeeper_process_resident_memory_bytes', 200 * MiB),
    point('watchkeeper_process_heap_used_bytes', 80 * MiB),
    point('watchkeeper_host_memory_available_bytes', 4 * GiB),
    point('watchkeeper_host_memory_total_bytes', 8 * GiB),
    point('watchkeeper_host_load_average_1m', 0.75),
    point('watchkeeper_data_disk_free_bytes', 50 * GiB),
    point('watchkeeper_data_disk_total_bytes', 100 * GiB),
    point('watchkeeper_event_loop_utilization', 0.1),
    point('watchkeeper_event_loop_delay_p99_seconds', 0.012),
    point('watchkeeper_event_loop_delay_max_seconds', 0.05),
    point('watchkeeper_http_requests_per_second', 10, { status_class: '2xx' }),
    point('watchkeeper_http_requests_per_second', 1, { status_class: '4xx' }),
    point('watchkeeper_http_requests_per_second', 0.5, { status_class: '5xx' }),
    point('watchkeeper_http_request_duration_seconds', 0.005, { quantile: '0.5' }),
    point('watchkeeper_http_request_duration_seconds', 0.02, { quantile: '0.95' }),
    point('watchkeeper_http_request_duration_seconds', 0.08, { quantile: '0.99' }),
    point('watchkeeper_database_pool_connections', 10),
    point('watchkeeper_database_pool_idle_connections', 8),
    point('watchkeeper_database_pool_waiting_requests', 0),
    point('watchkeeper_cache_hit_ratio', 0.9),
    point('watchkeeper_cache_keys', 1234),
    point('watchkeeper_cache_memory_used_bytes', 2 * MiB),
    // A pushed custom metric, for the explorer.
    { projectId: SYSTEM_PROJECT_ID, name: 'shop_orders', labels: { region: 'eu' }, value: 7 },
    { projectId: SYSTEM_PROJECT_ID, name: 'shop_orders', labels: { region: 'us' }, value: 3 },
  ];
}

/** The query requests a page makes, as [metric, seconds from `from` to `to`]. */
function watchQueries(p: Page): [string, number][] {
  const seen: [string, number][] = [];
  p.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname !== '/api/metrics/query') return;
    seen.push([url.searchParams.get('metric') ?? '', Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'))]);
  });
  return seen;
}

describe.skipIf(!hasChromium)(`the metrics pages in Chromium${chromiumNote}`, { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let t: TestApp;
  let suite: BrowserSuite;
  let base: string;
  let owner: TestUser;

  beforeAll(async () => {
    // The sampler off: the charts show only the rounds written here.
    suite = await openBrowserSuite({ env: { METRICS_TIME_SERIES_ENABLED: 'false' } });
    ({ t, base } = suite);
    owner = await createUser(t.app, { role: 'owner' });
    const repository = createTimeSeriesRepository(t.app.database.db);
    const now = Date.now();
    // A round a minute over the last three hours.
    for (let minutes = 180; minutes >= 0; minutes--) await repository.write(round(), new Date(now - minutes * 60_000));
  }, 60_000);
  afterAll(async () => {
    await suite?.close();
  });

  const page = (options: BrowserContextOptions = {}) => suite.newPage(options);
  const chart = (p: Page, title: string) => p.getByRole('region', { name: title, exact: true });
  async function openTable(p: Page, title: string) {
    await chart(p, title).locator('summary').click();
    return chart(p, title).getByRole('table');
  }

  it('draws the system resources with their values as tables, and says which charts have no data', async () => {
    const p = await page();
    const errors = pageErrors(p);
    await signIn(p, base, owner, '/charts');
    await hydrated(p);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('System resources');
    expect(await p.title()).toBe('System resources · Metrics · Watchkeeper');
    expect(await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Metrics' }).getAttribute('aria-current')).toBe('page');
    await chart(p, 'CPU').locator('canvas').first().waitFor();
    expect(
      await chart(p, 'CPU')
        .getByRole('img', { name: /^CPU over the last 1 hour: process: latest 25 %.*host: latest 50 %/ })
        .count(),
    ).toBe(1);
    const cpu = await openTable(p, 'CPU');
    expect(await cpu.locator('caption').textContent()).toMatch(/^CPU over the last 1 hour, every 15 s, newest first$/);
    expect(await cpu.getByRole('columnheader').allTextContents()).toEqual(['Time (UTC)', 'process', 'host']);
    expect(await cpu.locator('tbody tr').count()).toBeGreaterThanOrEqual(55);
    expect(await cpu.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['25 %', '50 %']);
    const memory = await openTable(p, 'Memory');
    expect(await memory.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['200 MiB', '80 MiB', '4 GiB', '8 GiB']);
    expect(await (await openTable(p, 'Event loop delay')).locator('tbody tr').first().locator('td').allTextContents()).toEqual(['12 ms', '50 ms']);
    // Series this instance does not write: the chart says so instead of drawing nothing.
    expect(await chart(p, 'Network').textContent()).toContain(
      'No data in the last 1 hour: nothing recorded for watchkeeper_host_network_receive_bytes_per_second',
    );
    expect(await chart(p, 'Disk I/O').locator('canvas').count()).toBe(0);
    expect(errors).toEqual([]); // no hydration mismatch, no CSP refusal from uPlot
    await p.context().close();
  });

  it('changes every chart’s query with the time range, and keeps the range across the metrics pages', async () => {
    const p = await page();
    await signIn(p, base, owner, '/charts/http');
    await hydrated(p);
    const queries = watchQueries(p);
    await p.getByRole('list', { name: 'Show the last' }).getByRole('link', { name: '6 hours' }).click();
    await p.waitForURL(`${base}/charts/http?range=6h`);
    await expect.poll(() => p.getByRole('heading', { name: /^Time range:/ }).textContent()).toBe('Time range: the last 6 hours');
    await expect
      .poll(() => queries.filter(([, seconds]) => seconds === 6 * 3600).map(([metric]) => metric))
      .toContain('watchkeeper_http_request_duration_seconds');
    expect(await p.getByRole('link', { name: '6 hours' }).getAttribute('aria-current')).toBe('true');
    expect(
      await chart(p, 'Latency')
        .getByRole('img', { name: /^Latency over the last 6 hours: / })
        .count(),
    ).toBe(1);
    // The other pages' links carry the range.
    await p.getByRole('navigation', { name: 'Metrics' }).getByRole('link', { name: 'Cache' }).click();
    await p.waitForURL(`${base}/charts/cache?range=6h`);
    await chart(p, 'Hit ratio').locator('canvas').first().waitFor();
    expect(await (await openTable(p, 'Hit ratio')).locator('caption').textContent()).toMatch(/^Hit ratio over the last 6 hours, every 90 s/);

    // A fixed range: the query asks for exactly it.
    const to = new Date(Date.now() - 3_600_000);
    const from = new Date(to.getTime() - 30 * 60_000);
    const minute = (d: Date) => d.toISOString().slice(0, 16);
    await p.getByLabel('From (UTC)').fill(minute(from));
    await p.getByLabel('To (UTC)').fill(minute(to));
    await p.getByRole('button', { name: 'Show this range' }).click();
    await p.waitForURL(/\/charts\/cache\?from=.*&to=/);
    await expect.poll(() => queries.filter(([metric, seconds]) => metric === 'watchkeeper_cache_keys' && seconds === 1800).length).toBeGreaterThan(0);
    await expect
      .poll(() => p.getByRole('heading', { name: /^Time range:/ }).textContent())
      .toBe(`Time range: ${minute(from).replace('T', ' ')} to ${minute(to).replace('T', ' ')} UTC`);
    await p.getByLabel('From (UTC)').fill(minute(to));
    await p.getByRole('button', { name: 'Show this range' }).click();
    expect(await p.getByRole('alert').textContent()).toBe('The custom range must start before it ends.');
    await p.context().close();
  });

  it('shows HTTP latency percentiles, request rate by status class and the 5xx share', async () => {
    const p = await page();
    await signIn(p, base, owner, '/charts/http');
    await hydrated(p);
    const latency = await openTable(p, 'Latency');
    expect(await latency.getByRole('columnheader').allTextContents()).toEqual(['Time (UTC)', 'p50', 'p95', 'p99']);
    expect(await latency.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['5 ms', '20 ms', '80 ms']);
    const rate = await openTable(p, 'Request rate');
    expect(await rate.getByRole('columnheader').allTextContents()).toEqual(['Time (UTC)', '2xx', '4xx', '5xx']);
    expect(await rate.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['10 req/s', '1 req/s', '0.5 req/s']);
    // 0.5 of 11.5 requests per second.
    expect(await (await openTable(p, 'Error rate')).locator('tbody tr').first().locator('td').allTextContents()).toEqual(['4.35 %']);
    await p.goto('/charts/database');
    expect(await (await openTable(p, 'Connection pool')).locator('tbody tr').first().locator('td').allTextContents()).toEqual(['10', '8', '0']);
    await p.context().close();
  });

  it('shows a failing chart’s boundary with a retry while the other charts still work', async () => {
    // Requests the service worker handles bypass page.route: this test intercepts the network.
    const p = await page({ serviceWorkers: 'block' });
    await signIn(p, base, owner, '/charts/cache');
    await hydrated(p);
    const keysQuery = /\/api\/metrics\/query\?metric=watchkeeper_cache_keys&/;
    await p.route(keysQuery, (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/problem+json',
        json: { type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'the store failed' },
      }),
    );
    await p.getByRole('link', { name: '15 minutes' }).click();
    const failed = p.getByRole('alert').filter({ hasText: 'This panel failed to show: the store failed' });
    await failed.waitFor();
    expect(await failed.getByRole('heading').textContent()).toBe('Keys');
    await chart(p, 'Hit ratio').locator('canvas').first().waitFor(); // the others still work
    expect(await chart(p, 'Memory').locator('canvas').count()).toBe(1);
    await expectAccessible(p, 'metrics-panel-failed');
    await p.unroute(keysQuery);
    await failed.getByRole('button', { name: 'Retry' }).click();
    await chart(p, 'Keys').locator('canvas').first().waitFor();
    expect(await (await openTable(p, 'Keys')).locator('tbody tr').first().locator('td').allTextContents()).toEqual(['1,234']);
    await p.context().close();
  });

  it('explores a pushed metric narrowed by a label value', async () => {
    const p = await page();
    const errors = pageErrors(p);
    await signIn(p, base, owner, '/charts/explore');
    await hydrated(p);
    await p.getByLabel('Metric', { exact: true }).selectOption('shop_orders');
    await p.getByLabel('region', { exact: true }).fill('eu');
    await p.getByLabel('Each step shows the').selectOption('max');
    await p.getByRole('button', { name: 'Show', exact: true }).click();
    await p.waitForURL(/\/charts\/explore\?metric=shop_orders&match=region%3Deu&aggregation=max&range=1h$/);
    await chart(p, 'shop_orders').locator('canvas').first().waitFor();
    const table = await openTable(p, 'shop_orders');
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Time (UTC)', 'region="eu"']);
    expect(await table.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['7']);
    // And as the server renders it (a reload, a shared link).
    await p.reload();
    expect(await p.getByLabel('region', { exact: true }).inputValue()).toBe('eu');
    expect(await chart(p, 'shop_orders').locator('table tbody tr').first().locator('td').allTextContents()).toEqual(['7']);
    expect(errors).toEqual([]);
    await p.context().close();
  });

  it('shows a metrics page opened before, with its charts and tables, when offline', async () => {
    const p = await serviceWorkerControlledPage(suite, owner, '/charts/database');
    await p.reload(); // through the worker now: this copy is kept
    await hydrated(p);
    await chart(p, 'Connection pool').locator('canvas').first().waitFor();
    await p.context().setOffline(true);
    await p.reload();
    await hydrated(p);
    await expect.poll(() => p.getByRole('status').filter({ hasText: 'Offline since' }).count()).toBe(1);
    await chart(p, 'Connection pool').locator('canvas').first().waitFor(); // uPlot came from the precache
    expect(await (await openTable(p, 'Connection pool')).locator('tbody tr').first().locator('td').allTextContents()).toEqual(['10', '8', '0']);
    await p.context().close();
  });

  it('tells someone without metrics:read they may not see the metrics, instead of failing', async () => {
    const viewer = await createUser(t.app, { role: 'viewer' });
    const p = await page();
    await signIn(p, base, viewer, '/charts');
    const response = await p.goto('/charts/http');
    expect(response?.status()).toBe(200);
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('HTTP traffic');
    expect(await p.getByRole('status').filter({ hasText: 'Not allowed' }).textContent()).toContain('needs the metrics:read permission');
    await p.goto('/charts/explore');
    expect(await p.getByRole('heading', { level: 2 }).first().textContent()).toBe('Not allowed');
    await p.context().close();
  });

  it('says where Watchkeeper’s own series are to someone acting in another project, whose explorer lists that project’s metrics', async () => {
    const organization = await createOrganization(t.app);
    const tenant = await createUser(t.app, { role: 'owner', organizationId: organization.id, projectId: organization.projectId });
    const p = await page();
    await signIn(p, base, tenant, '/charts');
    await hydrated(p);
    expect(await p.getByRole('note').textContent()).toMatch(/^These are Watchkeeper’s own series, kept in its own project/);
    expect(await chart(p, 'CPU').textContent()).toContain('No data in the last 1 hour');
    await p.getByRole('navigation', { name: 'Metrics' }).getByRole('link', { name: 'Explore' }).click();
    await p.getByText('No metric is stored in this project yet.').waitFor();
    await p.context().close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`meets WCAG 2.1 A and AA on every metrics page in the ${colorScheme} theme (axe)`, async () => {
      const p = await page({ colorScheme, viewport: { width: 1280, height: 800 } });
      const errors = pageErrors(p);
      await signIn(p, base, owner, '/charts');
      for (const [path, name, first] of [
        ['/charts', 'resources', 'CPU'],
        ['/charts/http', 'http', 'Request rate'],
        ['/charts/database', 'database', 'Connection pool'],
        ['/charts/cache', 'cache', 'Hit ratio'],
        ['/charts/explore?metric=shop_orders', 'explore', 'shop_orders'],
      ] as const) {
        await p.goto(path);
        await hydrated(p);
        await chart(p, first).locator('canvas').first().waitFor();
        await openTable(p, first);
        await expectAccessible(p, `metrics-${name}-${colorScheme}`);
      }
      expect(errors).toEqual([]);
      await p.context().close();
    }, 90_000);
  }
});
