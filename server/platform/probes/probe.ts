/**
 * The probe API: every health check — built-in or registered by a feature — is a ProbeDefinition.
 * The monitor schedules it, bounds it with its timeout, and keeps its latest result.
 */
import type { ComponentType, HealthStatus } from '../../../contracts/health.ts';
import type { TenantScope } from '../../../contracts/tenancy.ts';

/** One named observation of a component, reported as the check `<component>:<name>`. */
export interface Measurement {
  name: string;
  observedValue?: unknown;
  observedUnit?: string;
  /** Defaults to the probe result's status. */
  status?: HealthStatus;
  output?: string;
}

export interface ProbeResult {
  /** Defaults to the worst measurement status, or `pass`. */
  status?: HealthStatus;
  measurements?: Measurement[];
  output?: string;
}

export interface ProbeContext {
  /** Aborted when the probe's timeout elapses; pass it to I/O so a hung call is released. */
  signal: AbortSignal;
}

export interface ProbeDefinition {
  /** Component name, unique within its scope, e.g. `database` or an external service's name. */
  id: string;
  componentType: ComponentType;
  /** Instance identifier reported as `componentId`; defaults to the id. */
  componentId?: string;
  /** A failing critical component fails readiness; a non-critical one degrades to `warn`. */
  critical: boolean;
  intervalMs?: number;
  timeoutMs?: number;
  /** Endpoints that stop working when this component fails, reported as `affectedEndpoints`. */
  affectedEndpoints?: string[];
  /** Which report groups this component belongs to (e.g. `services`); the id is always one. */
  groups?: string[];
  /**
   * The tenant the component belongs to; defaults to Watchkeeper's own organization and project.
   * Watchkeeper's /health reports and readiness read only its own scope, so a tenant's failing
   * service never degrades Watchkeeper's health; history and events are stored under the scope.
   */
  scope?: TenantScope;
  check(context: ProbeContext): Promise<ProbeResult>;
  /**
   * The automated recovery action, run after repeated failures. Resolves with what it did;
   * throws when it could not act.
   */
  recover?: { action: string; run(context: ProbeContext): Promise<string> };
}
