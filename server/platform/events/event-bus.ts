/**
 * A typed in-process event bus. Publishers never wait for, or fail because of, subscribers: a
 * throwing or rejecting handler is logged and the other handlers still run.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { HealthStatus } from '../../../contracts/health.ts';
import type { TenantScope } from '../../../contracts/tenancy.ts';

export interface HealthTransitionEvent {
  component: string;
  /** The tenant the component belongs to (Watchkeeper's own for its built-in components). */
  scope: TenantScope;
  componentType: string;
  critical: boolean;
  from: HealthStatus | undefined;
  to: HealthStatus;
  output: string | undefined;
  at: Date;
}

export interface HealthRecoveryEvent {
  component: string;
  scope: TenantScope;
  action: string;
  outcome: 'succeeded' | 'failed';
  detail: string;
  at: Date;
}

/** An audit record as appended: published so detectors observe what happened without hooks of their own. */
export interface AuditRecordedEvent {
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  organizationId: string | null;
  actorType: 'user' | 'api-key' | 'system' | 'anonymous';
  actorId: string | null;
  actorLabel: string | null;
  targetType: string | null;
  targetId: string | null;
  targetLabel: string | null;
  ip: string | null;
  details: Record<string, unknown> | null;
  at: Date;
}

export type SecuritySeverity = 'low' | 'medium' | 'high' | 'critical';

/** A security event opened by a detector (published once per event, not on each later update). */
export interface SecurityEventPublished {
  id: string;
  kind: string;
  severity: SecuritySeverity;
  organizationId: string;
  subject: string;
  count: number;
  windowSeconds: number;
  firstSeen: Date;
  lastSeen: Date;
  details: Record<string, unknown>;
}

/**
 * An organization, or one project of it, was deleted (published after the commit). Features that
 * keep per-tenant state in memory (service probes, later caches) drop theirs at once instead of
 * at their next sync.
 */
export interface TenancyRemovedEvent {
  organizationId: string;
  /** Undefined: the whole organization. */
  projectId?: string;
}

/** Every event Watchkeeper publishes, by name. Later features add theirs here. */
export interface WatchkeeperEvents {
  'health.transition': HealthTransitionEvent;
  'health.recovery': HealthRecoveryEvent;
  'audit.recorded': AuditRecordedEvent;
  'security.event': SecurityEventPublished;
  'tenancy.removed': TenancyRemovedEvent;
}

type Handler<T> = (payload: T) => void | Promise<void>;

export class EventBus {
  readonly #handlers = new Map<keyof WatchkeeperEvents, Set<Handler<never>>>();
  readonly #logger: Logger;

  constructor({ logger }: { logger: Logger }) {
    this.#logger = logger;
  }

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof WatchkeeperEvents>(name: K, handler: Handler<WatchkeeperEvents[K]>): () => void {
    let set = this.#handlers.get(name);
    if (!set) this.#handlers.set(name, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  emit<K extends keyof WatchkeeperEvents>(name: K, payload: WatchkeeperEvents[K]): void {
    for (const handler of this.#handlers.get(name) ?? []) {
      try {
        const result = (handler as Handler<WatchkeeperEvents[K]>)(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.#logger.error({ err: error, event: name }, 'event handler failed'));
      } catch (error) {
        this.#logger.error({ err: error, event: name }, 'event handler failed');
      }
    }
  }
}
