/**
 * Keeps the health monitor's service probes equal to a wanted set of services. A probe is replaced
 * only when its definition changed, so unchanged services keep their state and circuit breaker
 * across the periodic reconciliation.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { ExternalService } from '../../../contracts/services.ts';
import type { TenantScope } from '../../../contracts/tenancy.ts';
import type { HealthMonitor } from '../health/index.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { createServiceProbe } from './service-probe.ts';

export interface WantedService {
  service: ExternalService;
  scope: TenantScope;
}

export interface ServiceProbeRegistryOptions {
  monitor: HealthMonitor;
  logger: Logger;
  defaultCooldownMs?: number;
  now?: () => number;
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
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sorted(v)]))
      : value;
  return JSON.stringify(sorted({ service: wanted.service, scope: wanted.scope }));
}

export class ServiceProbeRegistry {
  /** Name → fingerprint and scope of each probe this registry put in the monitor. */
  readonly #registered = new Map<string, { print: string; scope: TenantScope }>();
  /** Names already reported as shadowed by a built-in, so a reconciliation does not repeat it. */
  readonly #shadowed = new Set<string>();
  readonly #monitor: HealthMonitor;
  readonly #logger: Logger;
  readonly #defaultCooldownMs: number;
  readonly #now: (() => number) | undefined;

  constructor({ monitor, logger, defaultCooldownMs = 60_000, now }: ServiceProbeRegistryOptions) {
    this.#monitor = monitor;
    this.#logger = logger;
    this.#defaultCooldownMs = defaultCooldownMs;
    this.#now = now;
  }

  /** Whether `name` is a probe this registry put in the monitor. */
  has(name: string): boolean {
    return this.#registered.has(name);
  }

  /** Whether `name` is taken by a health component that is not an external service. */
  isBuiltIn(name: string): boolean {
    return this.#monitor.has(name) && !this.#registered.has(name);
  }

  /** Registers a service's probe, or replaces it when its definition changed. Returns what it did. */
  put(wanted: WantedService): 'added' | 'replaced' | 'unchanged' | 'skipped' {
    const { service, scope } = wanted;
    const print = fingerprint(wanted);
    const current = this.#registered.get(service.name)?.print;
    if (current === print) return 'unchanged';
    if (current === undefined && this.#monitor.has(service.name)) {
      // Only possible for a stored service whose name a newer built-in probe took since.
      if (this.#shadowed.has(service.name)) return 'skipped';
      this.#shadowed.add(service.name);
      this.#logger.error({ service: service.name }, `external service "${service.name}" is not checked: a built-in health component has that name`);
      return 'skipped';
    }
    if (current !== undefined) this.#monitor.unregister(service.name);
    const breaker = new CircuitBreaker({ cooldownMs: service.breakerCooldownMs ?? this.#defaultCooldownMs, now: this.#now });
    this.#monitor.register(
      createServiceProbe({
        service,
        scope,
        breaker,
        logger: this.#logger,
        lastError: () => {
          const state = this.#monitor.get(service.name);
          return state?.lastError && state.lastErrorAt ? { message: state.lastError, at: state.lastErrorAt } : undefined;
        },
      }),
    );
    this.#registered.set(service.name, { print, scope });
    return current === undefined ? 'added' : 'replaced';
  }

  remove(name: string): boolean {
    this.#shadowed.delete(name);
    if (!this.#registered.delete(name)) return false;
    this.#monitor.unregister(name);
    return true;
  }

  /** Makes the registered probes of `scope` exactly `wanted`; other scopes' probes are left alone. */
  reconcile(scope: TenantScope, wanted: WantedService[]): ReconcileResult {
    const result: ReconcileResult = { added: [], replaced: [], removed: [] };
    const names = new Set(wanted.map((w) => w.service.name));
    for (const name of this.#shadowed) if (!names.has(name)) this.#shadowed.delete(name);
    for (const [name, entry] of [...this.#registered]) {
      const inScope = entry.scope.organizationId === scope.organizationId && entry.scope.projectId === scope.projectId;
      if (inScope && !names.has(name) && this.remove(name)) result.removed.push(name);
    }
    for (const entry of wanted) {
      const outcome = this.put(entry);
      if (outcome === 'added' || outcome === 'replaced') result[outcome].push(entry.service.name);
    }
    return result;
  }
}
