/** What the monitor knows about one registered component: its definition's identity and its latest run. */
import type { HealthStatus, ComponentType } from '../../../contracts/health.ts';
import type { TenantScope } from '../../../contracts/tenancy.ts';
import type { Measurement } from '../../platform/probes/index.ts';

export interface ComponentState {
  id: string;
  scope: TenantScope;
  componentType: ComponentType;
  componentId: string;
  critical: boolean;
  groups: string[];
  affectedEndpoints: string[];
  /** Undefined until the first run finishes. */
  status: HealthStatus | undefined;
  output: string | undefined;
  measurements: Measurement[];
  latencyMs: number | undefined;
  checkedAt: Date | undefined;
  consecutiveFailures: number;
  lastError: string | undefined;
  lastErrorAt: Date | undefined;
  /** Set while the latency detector sees a sustained slowdown. */
  degradation: string | undefined;
  /**
   * The monitor's version when any field above last changed: what a reader built from the state
   * can be kept until it moves, and no two states (a replaced probe's included) share one.
   */
  revision: number;
}
