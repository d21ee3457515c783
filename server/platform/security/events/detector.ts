/**
 * What every security detector is: it observes audit records, keeps its own sliding-window
 * counts in memory, and reports a detection when a threshold is crossed. Counts are per
 * instance — each instance detects on its own traffic; a cluster-wide view is later work.
 */
import type { AuditRecordedEvent, SecuritySeverity } from '../../events/event-bus.ts';

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
  observe(record: AuditRecordedEvent, now: number): Detection | undefined;
}

export interface DetectorOptions {
  threshold: number;
  windowMs: number;
}
