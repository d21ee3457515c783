/**
 * Watches the event loop for liveness without touching any dependency: a heartbeat timer notes
 * how late each tick fires. A stalled loop shows both as a late heartbeat now and as a large
 * delay in the recent window.
 *
 * Nothing can answer while the loop is blocked, and once it is free the overdue heartbeat runs in
 * the timers phase before the waiting requests are read: "how late is the heartbeat now" is then
 * back to zero for every request that queued during the stall. So a stall stays reported for
 * `stallMemoryMs` after it ends.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** What liveness judges by: read on every probe, so it costs no histogram percentile. */
export interface EventLoopStall {
  /** How late the heartbeat is right now (grows while the loop is blocked). */
  currentDelayMs: number;
  /** Longest stall seen in the last `stallMemoryMs`, including one going on now. */
  recentStallMs: number;
  /** Largest delay in the recent window. */
  maxDelayMs: number;
}

export interface EventLoopSnapshot extends EventLoopStall {
  delayP99Ms: number;
}

export class EventLoopMonitor {
  readonly #heartbeatMs: number;
  readonly #windowMs: number;
  readonly #stallMemoryMs: number;
  /** Late heartbeats of the last `stallMemoryMs`, oldest first. */
  #stalls: Array<{ at: number; lateMs: number }> = [];
  #histogram: IntervalHistogram | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastBeat = performance.now();
  #windowMax = 0;
  #windowStarted = performance.now();
  #previousWindowMax = 0;

  constructor({ heartbeatMs = 200, windowMs = 30_000, stallMemoryMs = 10_000 }: { heartbeatMs?: number; windowMs?: number; stallMemoryMs?: number } = {}) {
    this.#heartbeatMs = heartbeatMs;
    this.#windowMs = windowMs;
    this.#stallMemoryMs = stallMemoryMs;
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
    this.#forgetOldStalls(now);
    // Only beats later than a heartbeat period matter; on a healthy loop the list stays empty.
    if (late > this.#heartbeatMs) this.#stalls.push({ at: now, lateMs: late });
  }

  #forgetOldStalls(now: number): void {
    while (this.#stalls.length > 0 && now - this.#stalls[0]!.at > this.#stallMemoryMs) this.#stalls.shift();
  }

  stall(): EventLoopStall {
    const now = performance.now();
    const currentDelayMs = Math.max(0, now - this.#lastBeat - this.#heartbeatMs);
    this.#forgetOldStalls(now);
    let recentStallMs = currentDelayMs;
    for (const stall of this.#stalls) if (stall.lateMs > recentStallMs) recentStallMs = stall.lateMs;
    return { currentDelayMs, recentStallMs, maxDelayMs: Math.max(this.#windowMax, this.#previousWindowMax, currentDelayMs) };
  }

  /** The stall and the window's p99 delay, for the event-loop component's periodic check. */
  snapshot(): EventLoopSnapshot {
    return { ...this.stall(), delayP99Ms: this.#histogram ? this.#histogram.percentile(99) / 1e6 : 0 };
  }
}
