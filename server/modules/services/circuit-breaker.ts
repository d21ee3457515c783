/**
 * A circuit breaker for one external service: opened by the health monitor's recovery action,
 * it stops calls for a cool-down, then lets one half-open trial through; a passing trial closes
 * it, a failing one opens it again.
 *
 * Why not opossum: its current major no longer supports Node 20, and what it adds — wrapping
 * calls, opening on a rolling error percentage, its own timeouts and fallbacks — duplicates what
 * the monitor already does (timeouts, counting consecutive failures, deciding when to recover).
 * Here the breaker is only the open → half-open → closed state. It keeps no timer: the cool-down
 * is compared with the clock when the next check asks to go through, so there is nothing to close
 * and tests can move the clock.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

export type Admission = { allowed: true; trial: boolean } | { allowed: false; reason: string; nextTrialAt: Date };

export interface CircuitBreakerOptions {
  cooldownMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  readonly cooldownMs: number;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #openUntil = 0;
  #trialInFlight = false;

  constructor({ cooldownMs, now = () => Date.now() }: CircuitBreakerOptions) {
    this.cooldownMs = cooldownMs;
    this.#now = now;
  }

  /** The state as a caller would find it now (an open breaker past its cool-down is half-open). */
  get state(): CircuitState {
    return this.#state === 'open' && this.#now() >= this.#openUntil ? 'half-open' : this.#state;
  }

  /** When an open breaker lets its next trial through; undefined unless open. */
  get nextTrialAt(): Date | undefined {
    return this.#state === 'open' ? new Date(this.#openUntil) : undefined;
  }

  /** Stops calls for one cool-down, from now. */
  open(): void {
    this.#state = 'open';
    this.#openUntil = this.#now() + this.cooldownMs;
    this.#trialInFlight = false;
  }

  /** Asks to call the service. Past the cool-down exactly one caller gets the half-open trial. */
  admit(): Admission {
    if (this.state === 'closed') return { allowed: true, trial: false };
    if (this.state === 'open') return { allowed: false, reason: 'circuit open', nextTrialAt: new Date(this.#openUntil) };
    if (this.#trialInFlight) return { allowed: false, reason: 'circuit half-open, a trial is in progress', nextTrialAt: new Date(this.#now()) };
    this.#state = 'half-open';
    this.#trialInFlight = true;
    return { allowed: true, trial: true };
  }

  /** Reports the outcome of an admitted call; only a trial's outcome changes the state. */
  record(admission: Admission, succeeded: boolean): void {
    if (!admission.allowed || !admission.trial || this.#state !== 'half-open') return;
    this.#trialInFlight = false;
    if (succeeded) this.#state = 'closed';
    else this.open();
  }
}
