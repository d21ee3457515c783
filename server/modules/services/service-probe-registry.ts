/**
 * Keeps the health monitor's service probes equal to a wanted set of services. A probe is replaced
 * only when its definition changed, so unchanged services keep their state and circuit breaker
 * across the periodic reconciliation.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { ExternalService } from '../../../contracts/services.ts';
import { SYSTEM_SCOPE, sameScope, scopedKey as keyOf, type TenantScope } from '../../../contracts/tenancy.ts';
import type { ComponentState, HealthMonitor } from '../health/index.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { createServiceProbe } from './service-probe.ts';
import type { TargetGuard } from './probes/target-guard.ts';

export interface WantedService {
  service: ExternalService;
  scope: TenantScope;
}

export interface ServiceProbeRegistryOptions {
  monitor: HealthMonitor;
  logger: Logger;
  defaultCooldownMs?: number;
  now?: () => number;
  /** Applied to the services of every organization but Watchkeeper's own system organization. */
  tenantGuard?: TargetGuard | undefined;
}

export interface ReconcileResult {
  added: string[];
  replaced: string[];
  removed: string[];
}

/** Key order does not matter (jsonb reorders keys), values do. */
function fingerprint(wanted: WantedService): string {
  const sorted = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, sorted(v)]),
        )
      : value;
  return JSON.stringify(sorted({ service: wanted.service, scope: wanted.scope }));
}

export class ServiceProbeRegistry {
  /** Scope and name (keyOf) → fingerprint, scope and name of each probe this registry put in the monitor. */
  readonly #registered = new Map<string, { print: string; scope: TenantScope; name: string }>();
  /** Names already reported as shadowed by a built-in, so a reconciliation does not repeat it. */
  readonly #shadowed = new Set<string>();
  readonly #monitor: HealthMonitor;
  readonly #logger: Logger;
  readonly #defaultCooldownMs: number;
  readonly #now: (() => number) | undefined;
  readonly #tenantGuard: TargetGuard | undefined;

  constructor({ monitor, logger, defaultCooldownMs = 60_000, now, tenantGuard }: ServiceProbeRegistryOptions) {
    this.#tenantGuard = tenantGuard;
    this.#monitor = monitor;
    this.#logger = logger;
    this.#defaultCooldownMs = defaultCooldownMs;
    this.#now = now;
  }

  /** Whether `name` is a probe this registry put in the monitor, in `scope`. */
  has(name: string, scope: TenantScope = SYSTEM_SCOPE): boolean {
    return this.#registered.has(keyOf(scope, name));
  }

  /** Whether `name` is taken in `scope` by a health component that is not an external service (built-ins live in the system scope). */
  isBuiltIn(name: string, scope: TenantScope = SYSTEM_SCOPE): boolean {
    return this.#monitor.has(name, scope) && !this.has(name, scope);
  }

  /** Changes whenever any probe's state does (the monitor's version): what a kept list is checked against. */
  get resultsVersion(): number {
    return this.#monitor.version;
  }

  /** The latest state of a service's probe, when this registry runs one for it. */
  state(name: string, scope: TenantScope = SYSTEM_SCOPE): ComponentState | undefined {
    return this.has(name, scope) ? this.#monitor.get(name, scope) : undefined;
  }

  /** Runs a service's check now (joining one in progress); undefined when it has no probe here. */
  runNow(name: string, scope: TenantScope = SYSTEM_SCOPE): Promise<ComponentState> | undefined {
    return this.has(name, scope) ? this.#monitor.runNow(name, scope) : undefined;
  }

  /** The probes this registry runs, in every scope. */
  get size(): number {
    return this.#registered.size;
  }

  /** Registers a service's probe, or replaces it when its definition changed. Returns what it did. */
  put(wanted: WantedService): 'added' | 'replaced' | 'unchanged' | 'skipped' {
    const { service, scope } = wanted;
    const key = keyOf(scope, service.name);
    const print = fingerprint(wanted);
    const current = this.#registered.get(key)?.print;
    if (current === print) return 'unchanged';
    if (current === undefined && this.#monitor.has(service.name, scope)) {
      // Only possible for a stored service whose name a newer built-in probe took since.
      if (this.#shadowed.has(key)) return 'skipped';
      this.#shadowed.add(key);
      this.#logger.error({ service: service.name }, `external service "${service.name}" is not checked: a built-in health component has that name`);
      return 'skipped';
    }
    if (current !== undefined) this.#monitor.unregister(service.name, scope);
    const breaker = new CircuitBreaker({ cooldownMs: service.breakerCooldownMs ?? this.#defaultCooldownMs, now: this.#now });
    this.#monitor.register(
      createServiceProbe({
        service,
        scope,
        breaker,
        logger: this.#logger,
        guard: scope.organizationId === SYSTEM_SCOPE.organizationId ? undefined : this.#tenantGuard,
        lastError: () => {
          const state = this.#monitor.get(service.name, scope);
          return state?.lastError && state.lastErrorAt ? { message: state.lastError, at: state.lastErrorAt } : undefined;
        },
      }),
    );
    this.#registered.set(key, { print, scope, name: service.name });
    return current === undefined ? 'added' : 'replaced';
  }

  remove(name: string, scope: TenantScope = SYSTEM_SCOPE): boolean {
    const key = keyOf(scope, name);
    this.#shadowed.delete(key);
    if (!this.#registered.delete(key)) return false;
    this.#monitor.unregister(name, scope);
    return true;
  }

  /**
   * Makes the registered probes exactly `wanted`, in every scope: a service deleted, or a project
   * or organization removed, through another instance loses its probe here too. Results name
   * system-scope services plainly and tenants' as `<projectId>/<name>`.
   */
  reconcile(wanted: WantedService[]): ReconcileResult {
    const result: ReconcileResult = { added: [], replaced: [], removed: [] };
    const label = (scope: TenantScope, name: string) => (sameScope(scope, SYSTEM_SCOPE) ? name : `${scope.projectId}/${name}`);
    const keys = new Set(wanted.map((w) => keyOf(w.scope, w.service.name)));
    for (const key of this.#shadowed) if (!keys.has(key)) this.#shadowed.delete(key);
    for (const [key, entry] of [...this.#registered]) {
      if (!keys.has(key) && this.remove(entry.name, entry.scope)) result.removed.push(label(entry.scope, entry.name));
    }
    for (const entry of wanted) {
      const outcome = this.put(entry);
      if (outcome === 'added' || outcome === 'replaced') result[outcome].push(label(entry.scope, entry.service.name));
    }
    return result;
  }
}
