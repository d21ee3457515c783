/** What a scenario is given and what it reports. */
import type { WindowResult } from './measure.ts';
import type { Subject } from './subject.ts';

export interface BenchContext {
  smoke: boolean;
  /** Length of each measured window. */
  seconds: number;
  warmupSeconds: number;
  /** Baseline/subject alternations. */
  rounds: number;
  connections: number;
  /** Wait before reading the database counters after a window (see measure.ts). */
  settleMs: number;
  /** The PostgreSQL server the run's databases go on (unset: embedded), for a scenario that starts a subject of its own. */
  databaseUrl?: string | undefined;
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

export interface ScenarioResult {
  name: string;
  description: string;
  rows: Row[];
  windows: WindowResult[];
  notes: string[];
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
