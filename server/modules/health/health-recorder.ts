/** Where the monitor writes history; implemented over the database by the history repository. */
import type { HealthStatus } from '../../../contracts/health.ts';

export interface SampleRecord {
  component: string;
  scope: { organizationId: string; projectId: string };
  status: HealthStatus;
  latencyMs: number | undefined;
  output: string | undefined;
  checkedAt: Date;
}

export interface HealthEventRecord {
  component: string;
  scope: { organizationId: string; projectId: string };
  kind: 'transition' | 'recovery';
  from?: HealthStatus | undefined;
  to?: HealthStatus | undefined;
  output?: string | undefined;
  details?: Record<string, unknown>;
  occurredAt: Date;
}

export interface HealthRecorder {
  /** Buffered: must not block or throw into the check loop. */
  recordSample(sample: SampleRecord): void;
  recordEvent(event: HealthEventRecord): void;
}
