/**
 * What every security detector is: it observes audit records, counts them in its sliding window,
 * and reports a detection when a threshold is crossed. With Redis the windows are shared, so every
 * instance counts the whole cluster's traffic; without it (the embedded default), or while Redis
 * is unreachable, each instance counts what it observes itself.
 */
import type { AuditRecordedEvent, SecuritySeverity } from '../../events/event-bus.ts';
import type { SlidingWindows } from './sliding-window.ts';

export type { AuditRecordedEvent, SecuritySeverity };

export interface Detection {
  kind: string;
  severity: SecuritySeverity;
  /** Whom it is about: `account:<email>`, `ip:<address>`, `user:<id>`, `api-key:<id>`, `rate-limit-class:<name>`. */
  subject: string;
  /** The organization whose operators may see it; undefined: the system organization. */
  organizationId?: string;
  /** Occurrences within the window so far. */
  count: number;
  details: Record<string, unknown>;
}

export interface SecurityDetector {
  readonly kind: string;
  /** Called for every audit record; `now` in epoch milliseconds. */
  observe(record: AuditRecordedEvent, now: number): Promise<Detection | undefined>;
}

export interface DetectorOptions {
  threshold: number;
  windowMs: number;
  /** Where the detector counts; in process memory unless given. */
  windows?: SlidingWindows;
}

/**
 * How many occurrences an audit record stands for: repeated identical denials are written as one
 * record per window whose `details.count` says how many (audit/repeated-denials.ts); others are one.
 */
export function occurrencesOf(record: AuditRecordedEvent): number {
  const count = record.details?.count;
  return typeof count === 'number' && Number.isInteger(count) && count > 0 ? count : 1;
}
