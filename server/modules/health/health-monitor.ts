/**
 * Schedules every registered probe, bounds each run by its timeout, keeps the latest result per
 * component, detects latency degradation, runs recovery actions after repeated failures, and
 * publishes state transitions. Endpoints read the latest results and never wait on a dependency.
 */
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { HealthStatus } from '../../../contracts/health.ts';
import { SYSTEM_SCOPE } from '../../../contracts/tenancy.ts';
import type { EventBus } from '../../platform/events/index.ts';
import type { HealthRecorder } from './health-recorder.ts';
import { LatencyDetector } from './latency-detector.ts';
import type { ComponentState, Measurement, ProbeDefinition, ProbeResult } from './probe.ts';

export interface HealthMonitorOptions {
  logger: Logger;
  events: EventBus;
  recorder?: HealthRecorder;
  defaultIntervalMs: number;
  defaultTimeoutMs: number;
  degradationFactor: number;
  recoveryAfterFailures: number;
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
}

const severity: Record<HealthStatus, number> = { pass: 0, warn: 1, fail: 2 };

export function worstStatus(statuses: Array<HealthStatus | undefined>): HealthStatus {
  return statuses.reduce<HealthStatus>((worst, s) => (s && severity[s] > severity[worst] ? s : worst), 'pass');
}

export class ProbeTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`check timed out after ${timeoutMs} ms`);
    this.name = 'ProbeTimeoutError';
  }
}

export class HealthMonitor {
  readonly #entries = new Map<string, Entry>();
  readonly #options: HealthMonitorOptions;
  #running = false;

  constructor(options: HealthMonitorOptions) {
    this.#options = options;
  }

  register(probe: ProbeDefinition): void {
    if (this.#entries.has(probe.id)) throw new Error(`a health probe named "${probe.id}" is already registered`);
    const entry: Entry = {
      probe,
      state: {
        id: probe.id,
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
      },
      detector: new LatencyDetector({ factor: this.#options.degradationFactor }),
      timer: undefined,
      inFlight: undefined,
      abandoned: {},
      removed: false,
    };
    this.#entries.set(probe.id, entry);
    if (this.#running) this.#schedule(entry, 0);
  }

  unregister(id: string): boolean {
    const entry = this.#entries.get(id);
    if (!entry) return false;
    entry.removed = true;
    clearTimeout(entry.timer);
    this.#entries.delete(id);
    return true;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  get(id: string): ComponentState | undefined {
    return this.#entries.get(id)?.state;
  }

  probe(id: string): ProbeDefinition | undefined {
    return this.#entries.get(id)?.probe;
  }

  list(group?: string): ComponentState[] {
    const states = [...this.#entries.values()].map((e) => e.state);
    return group ? states.filter((s) => s.groups.includes(group)) : states;
  }

  /** Starts the schedule; resolves once every probe has run once (each bounded by its timeout). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await Promise.all([...this.#entries.values()].map((entry) => this.#runAndReschedule(entry)));
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
  runNow(id: string): Promise<ComponentState> | undefined {
    const entry = this.#entries.get(id);
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
    this.#schedule(entry, entry.probe.intervalMs ?? this.#options.defaultIntervalMs);
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
        throw new Error(`the previous check has not finished after ${Math.round(performance.now() - hungSince)} ms (timeout ${timeoutMs} ms); not starting another`);
      }
      result = await withTimeout((signal) => probe.check({ signal }), timeoutMs, (work) => abandon(entry, 'check', started, work));
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

    const scope = probe.scope ?? SYSTEM_SCOPE;
    this.#options.recorder?.recordSample({ component: probe.id, scope, status, latencyMs, output, checkedAt: at });
    if (previous !== status) this.#transition(entry, previous, status, output, at);

    if (status === 'fail' && probe.recover && state.consecutiveFailures % this.#options.recoveryAfterFailures === 0) {
      await this.#recover(entry, timeoutMs);
    }
    return state;
  }

  #transition(entry: Entry, from: HealthStatus | undefined, to: HealthStatus, output: string | undefined, at: Date): void {
    const { probe } = entry;
    const log = to === 'pass' ? this.#options.logger.info.bind(this.#options.logger) : this.#options.logger.warn.bind(this.#options.logger);
    log({ component: probe.id, from, to, output }, `health of ${probe.id}: ${from ?? 'unknown'} → ${to}`);
    this.#options.recorder?.recordEvent({ component: probe.id, scope: probe.scope ?? SYSTEM_SCOPE, kind: 'transition', from, to, output, occurredAt: at });
    this.#options.events.emit('health.transition', {
      component: probe.id,
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
      detail = await withTimeout((signal) => recover.run({ signal }), timeoutMs, (work) => abandon(entry, 'recover', recoverStarted, work));
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
      scope: probe.scope ?? SYSTEM_SCOPE,
      kind: 'recovery',
      output: detail,
      details: { action: recover.action, outcome, consecutiveFailures: state.consecutiveFailures },
      occurredAt: at,
    });
    this.#options.events.emit('health.recovery', { component: probe.id, action: recover.action, outcome, detail, at });
  }
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
