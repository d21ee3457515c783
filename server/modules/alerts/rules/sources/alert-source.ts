/**
 * Where a rule's condition is read from. Each source is one file in this folder and is
 * registered by its `type`; the engine knows nothing of health, metrics or security events, so
 * later capabilities (log query counts, error-group spikes) add a source without changing it.
 *
 * A source answers like a Prometheus alerting expression: every sample it returns is a series
 * for which the condition holds now (its labels identify the alert, its value is `$value`); an
 * empty list means the condition holds nowhere. `no-data` means the data the rule reads does not
 * exist (an unknown component, a series never written); `error` that reading it failed.
 */
import type { z } from 'zod';

export interface AlertSample {
  labels: Record<string, string>;
  value: number;
}

export type SourceResult = { kind: 'ok'; samples: AlertSample[] } | { kind: 'no-data'; reason: string } | { kind: 'error'; message: string };

export interface SourceContext {
  /**
   * The organization of the rule's project: security events are recorded per organization, and
   * the health monitor names components by organization and project.
   */
  organizationId: string;
  /** The project the rule belongs to: a source reads that project's data only. */
  projectId: string;
  now: Date;
  signal: AbortSignal;
}

export interface AlertSource<Query = unknown> {
  readonly type: string;
  /** The `source` object of a rule, without its `type`. */
  readonly querySchema: z.ZodType<Query>;
  evaluate(query: Query, context: SourceContext): Promise<SourceResult>;
}
