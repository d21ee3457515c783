/**
 * Schedules every registered probe, bounds each run by its timeout, keeps the latest result per
 * component, detects latency degradation, runs recovery actions after repeated failures, and
 * publishes state transitions. Endpoints read the latest results and never wait on a dependency.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { HealthStatus } from '../../../contracts/health.ts';
import { SYSTEM_SCOPE, scopedKey as keyOf, type TenantScope } from '../../../contracts/tenancy.ts';
import type { EventBus } from '../../platform/events/index.ts';
import type { HealthRecorder } from './health-recorder.ts';
import { LatencyDetector, type LatencyBaseline } from './latency-detector.ts';
import type { Measurement, ProbeDefinition, ProbeResult } from '../../platform/probes/index.ts';
import type { ComponentState } from './component-state.ts';

export interface HealthMonitorOptions {
  logger: Logger;
  events: EventBus;
  recorder?: HealthRecorder;
  defaultIntervalMs: number;
  defaultTimeoutMs: number;
  degradationFactor: number;
  recoveryAfterFailures: number;
  /**
   * At most this many checks run at once while `start()` runs each one the first time. Started
   * all together, 10,000 services' first checks opened 10,000 connections at once, and thousands
   * failed at the target's accept queue: false failures at every start.
   */
  startConcurrency?: number;
}

interface Entry {
  probe: ProbeDefinition;
  state: ComponentState;
  detector: LatencyDetector;
  timer: NodeJS.Timeout | undefined;
  inFlight: Promise<ComponentState> | undefined;
  /**
   * A check or recovery action that outlived its timeout and ignored its abort signal. Until it
   * settles no new one is started: otherwise every interval would add another hung call.
   */
  abandoned: { check?: number; recover?: number };
  removed: boolean;
  /** Where in its interval this component's runs fall after the first (0 ≤ phase < 1), from its key. */
  phase: number;
  /** Whether the run after the first has been placed at the phase yet. */
  phased: boolean;
}

const DEFAULT_START_CONCURRENCY = 256;

const severity: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** Which components a read covers: one project, or every project of an organization. */
export interface ScopeFilter {
  organizationId: string;
  projectId?: string | undefined;
}

const covers = (filter: ScopeFilter, scope: TenantScope) =>
  filter.organizationId === scope.organizationId && (filter.projectId === undefined || filter.projectId === scope.projectId);

export function worstStatus(statuses: Array<HealthStatus | undefined>): HealthStatus {
  return statuses.reduce<HealthStatus>((worst, s) => (s && severity[s] > severity[worst] ? s : worst), 'pass');
}

export class ProbeTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`check timed out after ${timeoutMs} ms`);
    this.name = 'ProbeTimeoutError';
  }
}

/**
 * Components are named within a scope (a tenant's project): Watchkeeper's own built-in components
 * live in the system scope, which every method defaults to, and two tenants may each have a
 * service called `api`.
 */
export class HealthMonitor {
  /** By scope and component name (keyOf). */
  readonly #entries = new Map<string, Entry>();
  readonly #options: HealthMonitorOptions;
  #running = false;
  #version = 0;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
  }

  register(probe: ProbeDefinition): void {
    const scope = probe.scope ?? SYSTEM_SCOPE;
    const key = keyOf(scope, probe.id);
    if (this.#entries.has(key)) throw new Error(`a health probe named "${probe.id}" is already registered in this scope`);
    const entry: Entry = {
      probe,
      state: {
        id: probe.id,
        scope,
        componentType: probe.componentType,
        componentId: probe.componentId ?? probe.id,
        critical: probe.critical,
        groups: [probe.id, ...(probe.groups ?? [])],
        affectedEndpoints: probe.affectedEndpoints ?? [],
        status: undefined,
        output: 'not checked yet',
        measurements: [],
        latencyMs: undefined,
        checkedAt: undefined,
        consecutiveFailures: 0,
        lastError: undefined,
        lastErrorAt: undefined,
        degradation: undefined,
        revision: 0,
      },
      detector: new LatencyDetector({ factor: this.#options.degradationFactor }),
      timer: undefined,
      inFlight: undefined,
      abandoned: {},
      removed: false,
      phase: phaseOf(key),
      phased: false,
    };
    this.#entries.set(key, entry);
    this.#version++;
    entry.state.revision = this.#version;
    if (this.#running) this.#schedule(entry, 0);
  }

  unregister(id: string, scope: TenantScope = SYSTEM_SCOPE): boolean {
    const key = keyOf(scope, id);
    const entry = this.#entries.get(key);
    if (!entry) return false;
    entry.removed = true;
    clearTimeout(entry.timer);
    this.#entries.delete(key);
    this.#version++;
    return true;
  }

  has(id: string, scope: TenantScope = SYSTEM_SCOPE): boolean {
    return this.#entries.has(keyOf(scope, id));
  }

  get(id: string, scope: TenantScope = SYSTEM_SCOPE): ComponentState | undefined {
    return this.#entries.get(keyOf(scope, id))?.state;
  }

  probe(id: string, scope: TenantScope = SYSTEM_SCOPE): ProbeDefinition | undefined {
    return this.#entries.get(keyOf(scope, id))?.probe;
  }

  /** The latency baseline a component's checks are judged against now (see LatencyDetector). */
  latencyBaseline(id: string, scope: TenantScope = SYSTEM_SCOPE): LatencyBaseline | undefined {
    return this.#entries.get(keyOf(scope, id))?.detector.baseline();
  }

  /** The components of a scope (Watchkeeper's own by default), optionally of one report group. */
  list(group?: string, scope: ScopeFilter = SYSTEM_SCOPE): ComponentState[] {
    const states = [...this.#entries.values()].map((e) => e.state).filter((s) => covers(scope, s.scope));
    return group ? states.filter((s) => s.groups.includes(group)) : states;
  }

  /** Every component of every scope, tenants' included. */
  listAll(): ComponentState[] {
    return [...this.#entries.values()].map((e) => e.state);
  }

  /**
   * Changes whenever any component's state does (a run finished, a component came or went), so a
   * reader can keep what it built from the states until then.
   */
  get version(): number {
    return this.#version;
  }

  /** How many components are registered in every scope together (what this instance checks). */
  get size(): number {
    return this.#entries.size;
  }

  /** Starts the schedule; resolves once every probe has run once (each bounded by its timeout). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const entries = [...this.#entries.values()];
    let next = 0;
    const worker = async () => {
      while (this.#running && next < entries.length) {
        const entry = entries[next++]!;
        if (!entry.removed) await this.#runAndReschedule(entry);
      }
    };
    const concurrency = Math.max(1, this.#options.startConcurrency ?? DEFAULT_START_CONCURRENCY);
    await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  }

  async stop(): Promise<void> {
    this.#running = false;
    const pending: Array<Promise<unknown>> = [];
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.timer);
      if (entry.inFlight) pending.push(entry.inFlight);
    }
    await Promise.allSettled(pending);
  }

  /** Runs a component's check now; joins a run already in progress rather than starting another. */
  runNow(id: string, scope: TenantScope = SYSTEM_SCOPE): Promise<ComponentState> | undefined {
    const entry = this.#entries.get(keyOf(scope, id));
    return entry ? this.#run(entry) : undefined;
  }

  #schedule(entry: Entry, delayMs: number): void {
    if (!this.#running || entry.removed) return;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.#runAndReschedule(entry), delayMs);
    entry.timer.unref();
  }

  async #runAndReschedule(entry: Entry): Promise<void> {
    await this.#run(entry);
    const intervalMs = entry.probe.intervalMs ?? this.#options.defaultIntervalMs;
    // Components that start together (every one at start-up, or a sync adding many) would
    // otherwise run in step for ever: 10,000 checks in one burst each interval, and nothing in
    // between. The run after the first is placed at the component's own phase of the interval,
    // fixed by its name; from then on each run follows the previous one's end by the interval.
    if (!entry.phased) {
      entry.phased = true;
      this.#schedule(entry, Math.round(intervalMs * entry.phase));
      return;
    }
    this.#schedule(entry, intervalMs);
  }

  #run(entry: Entry): Promise<ComponentState> {
    entry.inFlight ??= this.#execute(entry).finally(() => {
      entry.inFlight = undefined;
    });
    return entry.inFlight;
  }

  async #execute(entry: Entry): Promise<ComponentState> {
    const { probe, state } = entry;
    const timeoutMs = probe.timeoutMs ?? this.#options.defaultTimeoutMs;
    const started = performance.now();
    let result: ProbeResult;
    let error: string | undefined;
    try {
      const hungSince = entry.abandoned.check;
      if (hungSince !== undefined) {
        throw new Error(
          `the previous check has not finished after ${Math.round(performance.now() - hungSince)} ms (timeout ${timeoutMs} ms); not starting another`,
        );
      }
      result = await withTimeout(
        (signal) => probe.check({ signal }),
        timeoutMs,
        (work) => abandon(entry, 'check', started, work),
      );
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      result = { status: 'fail', output: error };
    }
    const latencyMs = performance.now() - started;
    if (entry.removed) return state;

    const measurements = result.measurements ?? [];
    let status = result.status ?? worstStatus(measurements.map((m) => m.status));
    let output = result.output ?? measurements.find((m) => m.status && m.status !== 'pass' && m.output)?.output;

    if (!error) entry.detector.add(latencyMs);
    state.degradation = status === 'pass' ? entry.detector.assess() : undefined;
    if (state.degradation) {
      status = 'warn';
      output = state.degradation;
    }

    const previous = state.status;
    const at = new Date();
    state.status = status;
    state.output = output;
    state.measurements = measurements;
    state.latencyMs = latencyMs;
    state.checkedAt = at;
    if (status === 'fail') {
      state.consecutiveFailures++;
      state.lastError = output ?? 'failed';
      state.lastErrorAt = at;
    } else {
      state.consecutiveFailures = 0;
    }
    this.#version++;
    state.revision = this.#version;

    this.#options.recorder?.recordSample({ component: probe.id, scope: state.scope, status, latencyMs, output, checkedAt: at });
    if (previous !== status) this.#transition(entry, previous, status, output, at);

    if (status === 'fail' && probe.recover && state.consecutiveFailures % this.#options.recoveryAfterFailures === 0) {
      await this.#recover(entry, timeoutMs);
    }
    return state;
  }

  #transition(entry: Entry, from: HealthStatus | undefined, to: HealthStatus, output: string | undefined, at: Date): void {
    const { probe, state } = entry;
    const log = to === 'pass' ? this.#options.logger.info.bind(this.#options.logger) : this.#options.logger.warn.bind(this.#options.logger);
    log({ component: probe.id, from, to, output }, `health of ${probe.id}: ${from ?? 'unknown'} → ${to}`);
    this.#options.recorder?.recordEvent({ component: probe.id, scope: state.scope, kind: 'transition', from, to, output, occurredAt: at });
    this.#options.events.emit('health.transition', {
      component: probe.id,
      scope: state.scope,
      componentType: probe.componentType,
      critical: probe.critical,
      from,
      to,
      output,
      at,
    });
  }

  async #recover(entry: Entry, timeoutMs: number): Promise<void> {
    const { probe, state } = entry;
    const recover = probe.recover!;
    let outcome: 'succeeded' | 'failed';
    let detail: string;
    try {
      const hungSince = entry.abandoned.recover;
      if (hungSince !== undefined) {
        throw new Error(`the previous recovery action has not finished after ${Math.round(performance.now() - hungSince)} ms; not starting another`);
      }
      const recoverStarted = performance.now();
      detail = await withTimeout(
        (signal) => recover.run({ signal }),
        timeoutMs,
        (work) => abandon(entry, 'recover', recoverStarted, work),
      );
      outcome = 'succeeded';
    } catch (caught) {
      detail = caught instanceof Error ? caught.message : String(caught);
      outcome = 'failed';
    }
    const at = new Date();
    const logger = this.#options.logger;
    (outcome === 'succeeded' ? logger.info.bind(logger) : logger.error.bind(logger))(
      { component: probe.id, action: recover.action, outcome, detail, consecutiveFailures: state.consecutiveFailures },
      `recovery action "${recover.action}" for ${probe.id} ${outcome}`,
    );
    this.#options.recorder?.recordEvent({
      component: probe.id,
      scope: state.scope,
      kind: 'recovery',
      output: detail,
      details: { action: recover.action, outcome, consecutiveFailures: state.consecutiveFailures },
      occurredAt: at,
    });
    this.#options.events.emit('health.recovery', { component: probe.id, scope: state.scope, action: recover.action, outcome, detail, at });
  }
}

/**
 * A stable fraction in [0, 1) from a component's key, so its phase is the same on every start:
 * FNV-1a, then murmur3's finalizer, without which names differing in their last digits (`check-1`,
 * `check-2`…) would land close together.
 */
function phaseOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4_294_967_296;
}

/** Marks a timed-out call as still running until it settles, however long that takes. */
function abandon(entry: Entry, kind: 'check' | 'recover', startedAt: number, work: Promise<unknown>): void {
  entry.abandoned[kind] = startedAt;
  const settled = () => {
    if (entry.abandoned[kind] === startedAt) delete entry.abandoned[kind];
  };
  work.then(settled, settled);
}

/**
 * Runs `work` with an AbortSignal that fires after `timeoutMs`; rejects at the deadline and hands
 * the still-running work to `onAbandon` (work that honours the signal settles right after).
 */
async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number, onAbandon?: (work: Promise<T>) => void): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const running = Promise.resolve().then(() => work(controller.signal));
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ProbeTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
      onAbandon?.(running);
    }, timeoutMs);
  });
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export type { Measurement };
