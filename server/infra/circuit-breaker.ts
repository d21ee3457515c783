/**
 * A circuit breaker for one dependency. A call that cost a timeout opens it: for `cooldownMs`
 * every call is refused at once instead of each paying the timeout again. Then one call at a time
 * goes through as a probe; an answer closes the circuit, another failure opens it for a new cooldown.
 * A probe that never reports back (its caller gave up on it) does not hold the circuit shut: after
 * another cooldown the next call probes instead.
 */

export class CircuitOpenError extends Error {
  constructor(what: string) {
    super(`${what} is not answering (circuit open): not waiting on it`);
    this.name = 'CircuitOpenError';
  }
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  cooldownMs?: number;
  now?: () => number;
  /** Called on every change of state (for one log line per change, not one per call). */
  onChange?: (state: CircuitState) => void;
}

export function createCircuitBreaker({ cooldownMs = 5_000, now = Date.now, onChange = () => {} }: CircuitBreakerOptions = {}) {
  let state: CircuitState = 'closed';
  let openedAt = 0;
  let probing = false;
  let probeStartedAt = 0;
  const moveTo = (next: CircuitState) => {
    if (next === state) return;
    state = next;
    onChange(next);
  };

  return {
    get state(): CircuitState {
      return state;
    },
    /** Whether a call may go ahead now; true makes it the probe when the circuit is not closed. */
    tryAcquire(): boolean {
      if (state === 'closed') return true;
      if (state === 'open' && now() - openedAt < cooldownMs) return false;
      if (probing && now() - probeStartedAt < cooldownMs) return false;
      probing = true;
      probeStartedAt = now();
      moveTo('half-open');
      return true;
    },
    /** The dependency answered (an error reply counts: it is answering). */
    succeeded(): void {
      probing = false;
      moveTo('closed');
    },
    /** A call failed. A timeout opens the circuit; while probing, any failure reopens it. */
    failed({ timedOut }: { timedOut: boolean }): void {
      if (state === 'closed' && !timedOut) return;
      probing = false;
      openedAt = now();
      moveTo('open');
    },
    /** Let the next call probe at once (the connection came back). */
    allowProbe(): void {
      if (state === 'open') openedAt = now() - cooldownMs;
    },
    reset(): void {
      probing = false;
      moveTo('closed');
    },
  };
}

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;
