/**
 * Watches the event loop for liveness without touching any dependency: a heartbeat timer notes
 * how late each tick fires. A stalled loop shows both as a late heartbeat now and as a large
 * delay in the recent window.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopSnapshot {
  /** How late the heartbeat is right now (grows while the loop is blocked). */
  currentDelayMs: number;
  /** Largest delay in the recent window. */
  maxDelayMs: number;
  delayP99Ms: number;
}

export class EventLoopMonitor {
  readonly #heartbeatMs: number;
  readonly #windowMs: number;
  #histogram: IntervalHistogram | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastBeat = performance.now();
  #windowMax = 0;
  #windowStarted = performance.now();
  #previousWindowMax = 0;

  constructor({ heartbeatMs = 200, windowMs = 30_000 }: { heartbeatMs?: number; windowMs?: number } = {}) {
    this.#heartbeatMs = heartbeatMs;
    this.#windowMs = windowMs;
  }

  start(): void {
    if (this.#timer) return;
    this.#histogram = monitorEventLoopDelay({ resolution: 20 });
    this.#histogram.enable();
    this.#lastBeat = performance.now();
    this.#timer = setInterval(() => this.#beat(), this.#heartbeatMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#histogram?.disable();
  }

  #beat(): void {
    const now = performance.now();
    const late = Math.max(0, now - this.#lastBeat - this.#heartbeatMs);
    this.#lastBeat = now;
    if (now - this.#windowStarted > this.#windowMs) {
      this.#previousWindowMax = this.#windowMax;
      this.#windowMax = 0;
      this.#windowStarted = now;
      this.#histogram?.reset();
    }
    this.#windowMax = Math.max(this.#windowMax, late);
  }

  snapshot(): EventLoopSnapshot {
    const currentDelayMs = Math.max(0, performance.now() - this.#lastBeat - this.#heartbeatMs);
    return {
      currentDelayMs,
      maxDelayMs: Math.max(this.#windowMax, this.#previousWindowMax, currentDelayMs),
      delayP99Ms: this.#histogram ? this.#histogram.percentile(99) / 1e6 : 0,
    };
  }
}
