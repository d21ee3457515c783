/**
 * Writes a registry in the Prometheus text format 0.0.4 or OpenMetrics 1.0.0, in chunks, giving the
 * event loop back between them.
 *
 * Not prom-client's `registry.metrics()`: with 10,000 series it took 20–45 ms here in one
 * uninterrupted stretch (every family is formatted synchronously behind one Promise.all), which is
 * that long with every request of the process waiting. And its OpenMetrics mode renames counters
 * in place (`x_total` → `x`), so a registry once served as OpenMetrics serves the text format with
 * the wrong names afterwards. Here a family is read with `get()` (which runs its collect()),
 * formatted without touching it, and the work yields every few milliseconds.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Registry } from 'prom-client';
import type { MetricFamily, Sample } from '../../platform/metrics/index.ts';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'text' | 'openmetrics';

/** What a metric in the registry offers: prom-client's metrics and ScrapeTimeMetric both have get(). */
interface RegisteredMetric {
  name: string;
  get(): Promise<MetricFamily> | MetricFamily;
  /**
   * A family that formats itself, piece by piece (the health components: one kept line each), so
   * that thousands of series can be split across slices instead of formatted in one stretch.
   */
  pieces?(format: ExpositionFormat): Iterable<string>;
}

/**
 * The scraper's choice: OpenMetrics when its Accept names `application/openmetrics-text` with a
 * q above 0 (Prometheus sends it first, with the text format as a fallback), else the text format.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'text';
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'application/openmetrics-text') continue;
    const q = parameters.find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) return 'openmetrics';
  }
  return 'text';
}

export const escapeLabelValue = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (help: string, format: ExpositionFormat) => {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
};

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Sample['labels']): string {
  if (!labels) return '';
  let out = '';
  for (const name in labels) {
    const value = labels[name];
    if (value === undefined) continue;
    out += `${out ? ',' : ''}${name}="${escapeLabelValue(String(value))}"`;
  }
  return out ? `{${out}}` : '';
}

/** The family's lines, `# HELP` and `# TYPE` first, each ending with a newline. */
export function formatFamily(family: MetricFamily, format: ExpositionFormat): string {
  const counter = family.type === 'counter';
  // OpenMetrics names a counter's family without `_total` and its sample with it.
  const familyName = format === 'openmetrics' && counter ? family.name.replace(/_total$/, '') : family.name;
  const type = format === 'openmetrics' && family.type === 'untyped' ? 'unknown' : family.type;
  let out = `# HELP ${familyName} ${escapeHelp(family.help, format)}\n# TYPE ${familyName} ${type}\n`;
  for (const sample of family.values) {
    let name = sample.metricName ?? family.name;
    if (format === 'openmetrics' && counter && !name.endsWith('_total')) name = `${name}_total`;
    out += `${name}${formatLabels(sample.labels)} ${formatValue(sample.value)}\n`;
  }
  return out;
}

export interface ExposeOptions {
  format: ExpositionFormat;
  /**
   * Families from outside the registry (pushed metrics): one of the same name as a registry
   * family adds its samples to that family (a name appears once in an exposition); the others
   * follow the registry's.
   */
  additions?: ReadonlyMap<string, MetricFamily>;
  /** Work done before the event loop is given back. */
  sliceMs?: number;
  now?: () => number;
}

/** How a scrape went, for the exposition's own metrics. */
export interface ExpositionTiming {
  seconds: number;
  /** The longest stretch without giving the event loop back (an awaited read counts in it). */
  longestSliceSeconds: number;
}

/**
 * The exposition as chunks (one or more families each). A family whose read fails is left out
 * (and reported through `onError`), so one broken collector does not cost the whole scrape.
 */
export async function* expose(
  registry: Registry,
  { format, sliceMs = 5, now = () => performance.now(), additions = new Map() }: ExposeOptions,
  { onError = () => {}, onDone = () => {} }: { onError?: (metric: string, error: unknown) => void; onDone?: (timing: ExpositionTiming) => void } = {},
): AsyncGenerator<string> {
  const started = now();
  let sliceStart = started;
  let longest = 0;
  let pending = '';
  const sliceOver = () => now() - sliceStart >= sliceMs;
  async function* handBack(): AsyncGenerator<string> {
    longest = Math.max(longest, now() - sliceStart);
    const chunk = pending;
    pending = '';
    yield chunk;
    await yieldToEventLoop();
    sliceStart = now();
  }
  for (const metric of registry.getMetricsAsArray() as unknown as RegisteredMetric[]) {
    try {
      if (metric.pieces) {
        for (const piece of metric.pieces(format)) {
          pending += piece;
          if (sliceOver()) yield* handBack();
        }
      } else {
        const family = await metric.get();
        const added = additions.get(family.name);
        pending += formatFamily(added ? { ...family, values: [...family.values, ...added.values] } : family, format);
      }
    } catch (error) {
      onError(metric.name, error);
    }
    if (sliceOver()) yield* handBack();
  }
  const registered = new Set(registry.getMetricsAsArray().map((metric) => metric.name));
  for (const family of additions.values()) {
    if (registered.has(family.name) || family.values.length === 0) continue;
    pending += formatFamily(family, format);
    if (sliceOver()) yield* handBack();
  }
  longest = Math.max(longest, now() - sliceStart);
  onDone({ seconds: (now() - started) / 1000, longestSliceSeconds: longest / 1000 });
  yield format === 'openmetrics' ? `${pending}# EOF\n` : pending;
}

/** The whole exposition as one string (tests, and the bench's pre-rendered body). */
export async function exposeToString(registry: Registry, options: ExposeOptions): Promise<string> {
  let out = '';
  for await (const chunk of expose(registry, options)) out += chunk;
  return out;
}
