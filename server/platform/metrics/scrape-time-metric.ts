/**
 * A metric family whose samples are read when Prometheus scrapes (pool sizes, cache counts, health
 * states), never on a timer. It has the shape prom-client's Registry holds (`name`, `help`,
 * `type`, `get()`), so it sits in `app.metrics` beside prom-client's own metrics and any
 * exposition of that registry (prom-client's or ours, exposition.ts) serializes it.
 */
import type { Registry } from 'prom-client';

/** `untyped`: pushed metrics that declared no type (OpenMetrics calls it `unknown`). */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  value: number;
  labels?: Record<string, string | number>;
  /** For histograms: `<name>_bucket`, `<name>_sum`, `<name>_count`. Defaults to the family name. */
  metricName?: string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  values: Sample[];
}

export interface ScrapeTimeMetricOptions {
  name: string;
  help: string;
  type: MetricType;
  collect(): Sample[] | Promise<Sample[]>;
  registers: Registry[];
}

export class ScrapeTimeMetric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  // prom-client's cluster aggregation reads it; unused here.
  readonly aggregator = 'sum';
  readonly #collect: ScrapeTimeMetricOptions['collect'];

  constructor({ name, help, type, collect, registers }: ScrapeTimeMetricOptions) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.#collect = collect;
    for (const registry of registers) registry.registerMetric(this as never);
  }

  async get(): Promise<MetricFamily> {
    return { name: this.name, help: this.help, type: this.type, values: await this.#collect() };
  }

  reset(): void {}
}

/**
 * One read shared by the families that come from it (one Redis INFO for every cache metric), kept
 * for `maxAgeMs` so that a scrape asks once. A failed read is not kept.
 */
export function sharedRead<T>(read: () => Promise<T>, { maxAgeMs = 1_000, now = Date.now } = {}): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (last && now() - last.at < maxAgeMs) return last.value;
    const value = read();
    const entry = { at: now(), value };
    last = entry;
    value.catch(() => {
      if (last === entry) last = undefined;
    });
    return value;
  };
}
