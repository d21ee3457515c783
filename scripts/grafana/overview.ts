/** The service at a glance: is it up, how busy, how many errors, how slow, what is failing; each stat leads to its dashboard. */
import { CIRCUIT_MAPPINGS, CIRCUIT_STATE, DATA_STORES_UID } from './data-stores.ts';
import { HEALTH_UID } from './health.ts';
import { HTTP_UID } from './http.ts';
import { dashboard, dashboardLink, rate, sel, stat, timeseries } from './panels.ts';
import { RESOURCES_UID } from './resources.ts';

export const OVERVIEW_UID = 'watchkeeper-overview';

const requests = (matchers = '') => `sum(${rate('http_request_duration_seconds_count', matchers)})`;
const toHttp = [dashboardLink(HTTP_UID, 'HTTP')];
const toHealth = [dashboardLink(HEALTH_UID, 'Health history')];
const toDataStores = [dashboardLink(DATA_STORES_UID, 'Database and cache')];
const componentsAt = (value: number) => `count(max by (component) (${sel('watchkeeper_health_status')}) == ${value}) or vector(0)`;
/** The SLO recordings are per job: they know no instance. */
const recorded = (name: string, legend: string) => ({ expr: `${name}{job=~"$job"}`, legend: `{{job}} ${legend}` });

export const overviewDashboard = dashboard({
  uid: OVERVIEW_UID,
  title: 'Service overview',
  description:
    'Watchkeeper at a glance: targets up, traffic, errors, latency, health components, memory and the database circuit. The other Watchkeeper dashboards are linked above.',
  panels: [
    stat({
      title: 'Instances up',
      description: 'Targets Prometheus scraped successfully at its last scrape, of those chosen (`up`).',
      thresholds: [
        ['red', null],
        ['green', 1],
      ],
      queries: [{ expr: `sum(${sel('up')})` }],
    }),
    stat({
      title: 'Request rate',
      description: 'HTTP requests answered per second, all routes.',
      unit: 'reqps',
      links: toHttp,
      queries: [{ expr: requests() }],
    }),
    stat({
      title: '5xx ratio',
      description: 'Share of answers that were 5xx. The availability SLO allows 0.1%.',
      unit: 'percentunit',
      thresholds: [
        ['green', null],
        ['red', 0.001],
      ],
      links: toHttp,
      queries: [{ expr: `${requests('status_class="5xx"')} / ${requests()}` }],
    }),
    stat({
      title: 'p99 latency',
      description: 'The 99th percentile of the time to answer, all routes. The latency SLO wants 99% within 250 ms.',
      unit: 's',
      thresholds: [
        ['green', null],
        ['red', 0.25],
      ],
      links: toHttp,
      queries: [{ expr: `histogram_quantile(0.99, sum by (le) (${rate('http_request_duration_seconds_bucket')}))` }],
    }),
    stat({
      title: 'Components failing',
      description: 'Health components whose latest check failed.',
      thresholds: [
        ['green', null],
        ['red', 1],
      ],
      links: toHealth,
      queries: [{ expr: componentsAt(2) }],
    }),
    stat({
      title: 'Components degraded',
      description: 'Health components whose latest check warned.',
      thresholds: [
        ['green', null],
        ['yellow', 1],
      ],
      links: toHealth,
      queries: [{ expr: componentsAt(1) }],
    }),
    timeseries({
      title: 'Requests by status class',
      description: 'HTTP requests answered per second, by status class.',
      unit: 'reqps',
      queries: [{ expr: `sum by (status_class) (${rate('http_request_duration_seconds_count')})`, legend: '{{status_class}}' }],
    }),
    timeseries({
      title: 'Latency',
      description: 'The 50th, 95th and 99th percentiles of the time to answer, all routes.',
      unit: 's',
      queries: [0.5, 0.95, 0.99].map((q) => ({
        expr: `histogram_quantile(${q}, sum by (le) (${rate('http_request_duration_seconds_bucket')}))`,
        legend: `p${q * 100}`,
      })),
    }),
    timeseries({
      title: 'Error SLO: 5xx ratio',
      description:
        'The recorded share of 5xx answers per job over 5 minutes and 1 hour (job:watchkeeper_http_errors:ratio_rate*). The alerts fire when both windows burn the 0.1% budget 14.4 times too fast.',
      unit: 'percentunit',
      min: 0,
      queries: [recorded('job:watchkeeper_http_errors:ratio_rate5m', '5m'), recorded('job:watchkeeper_http_errors:ratio_rate1h', '1h')],
    }),
    timeseries({
      title: 'Latency SLO: share slower than 250 ms',
      description:
        'The recorded share of requests slower than 250 ms per job over 5 minutes and 1 hour (job:watchkeeper_http_slow:ratio_rate*). The SLO allows 1%.',
      unit: 'percentunit',
      min: 0,
      queries: [recorded('job:watchkeeper_http_slow:ratio_rate5m', '5m'), recorded('job:watchkeeper_http_slow:ratio_rate1h', '1h')],
    }),
    timeseries({
      title: 'Process memory',
      description: 'Resident set size of each instance’s process.',
      unit: 'bytes',
      links: [dashboardLink(RESOURCES_UID, 'Resources')],
      queries: [{ expr: sel('process_resident_memory_bytes'), legend: '{{instance}}' }],
    }),
    stat({
      title: 'Database circuit',
      description: 'The database pool’s circuit breaker per instance. Open: database calls are refused at once.',
      width: 6,
      height: 8,
      mappings: CIRCUIT_MAPPINGS,
      links: toDataStores,
      queries: [{ expr: CIRCUIT_STATE, legend: '{{instance}}' }],
    }),
    stat({
      title: 'Cache up',
      description: 'Whether the cache answered its statistics at the last scrape, per instance.',
      width: 6,
      height: 8,
      mappings: { 0: ['down', 'red'], 1: ['up', 'green'] },
      links: toDataStores,
      queries: [{ expr: sel('watchkeeper_cache_up'), legend: '{{instance}}' }],
    }),
  ],
});
