/** What a scenario is given and what it reports. */
import type { WindowResult } from './measure.ts';
import type { Subject } from './subject.ts';
import type { Chart } from './svg-chart.ts';

export interface BenchContext {
  smoke: boolean;
  /** Length of each measured window. */
  seconds: number;
  warmupSeconds: number;
  /** Baseline/subject alternations. */
  rounds: number;
  connections: number;
  /** PostgreSQL server for scenarios that create their own database; unset: an embedded one. */
  databaseUrl: string | undefined;
  /** Wait before reading the database counters after a window (see measure.ts). */
  settleMs: number;
  /** The Watchkeeper under test, started once per run and shared by the scenarios. */
  subject(): Promise<Subject>;
  log(message: string): void;
}

/** One line of a scenario's table: a variant aggregated over its rounds. */
export interface Row {
  label: string;
  rps: number;
  latencyMs: { p50: number; p95: number; p99: number };
  errors: { non2xx: number; timeouts: number; errors: number };
  cpuMicrosPerRequest: number;
  rssBytes: number;
  queriesPerRequest?: number;
  /** rps over the baseline's rps, measured in the same run. */
  ratio?: number;
  target?: string;
  pass?: boolean;
}

/** A measured quantity that is not a request rate (bytes, seconds), with its objective. */
export interface Metric {
  label: string;
  value: number;
  unit: string;
  target?: string;
  pass?: boolean;
}

/** Free-form detail a scenario shows under its metrics (e.g. per-table sizes). */
export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface ScenarioResult {
  name: string;
  description: string;
  /** Request-rate variants; empty for scenarios that measure something else (see `metrics`). */
  rows: Row[];
  metrics?: Metric[];
  tables?: Table[];
  windows: WindowResult[];
  notes: string[];
  /** Ramp and soak scenarios: written as SVG next to the JSON results and linked from the table. */
  charts?: Chart[];
  /** Figures that fit no table row (e.g. an RSS series), kept in the JSON report. */
  details?: Record<string, unknown>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Not part of `npm run bench` without a name (soak). */
  longRunning?: boolean;
  run(context: BenchContext): Promise<ScenarioResult>;
}
