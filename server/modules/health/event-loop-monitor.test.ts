import { afterEach, describe, expect, it } from 'vitest';
import { EventLoopMonitor } from './event-loop-monitor.ts';

/** Blocks the event loop, as a runaway synchronous computation would. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Lets the loop go round once: timers (the overdue heartbeat among them), then I/O. */
const nextTurn = () => new Promise((r) => setImmediate(r));

const monitors: EventLoopMonitor[] = [];
function started(options: ConstructorParameters<typeof EventLoopMonitor>[0]): EventLoopMonitor {
  const monitor = new EventLoopMonitor(options);
  monitor.start();
  monitors.push(monitor);
  return monitor;
}
afterEach(() => monitors.splice(0).forEach((m) => m.stop()));

describe('EventLoopMonitor', () => {
  it('counts the delay going on now as part of the recent stall', async () => {
    const monitor = started({ heartbeatMs: 10 });
    await sleep(50);
    const snapshot = monitor.snapshot();
    expect(snapshot.currentDelayMs).toBeGreaterThanOrEqual(0);
    expect(snapshot.recentStallMs).toBeGreaterThanOrEqual(snapshot.currentDelayMs);
    expect(snapshot.maxDelayMs).toBeGreaterThanOrEqual(snapshot.currentDelayMs);
  });

  it('sees a stall while it is going on', async () => {
    const monitor = started({ heartbeatMs: 10 });
    await sleep(20);
    block(300);
    const during = monitor.snapshot();
    expect(during.currentDelayMs).toBeGreaterThanOrEqual(250);
    expect(during.recentStallMs).toBe(during.currentDelayMs);
  });

  it('still reports a stall after it ended and the overdue heartbeat has run', async () => {
    const monitor = started({ heartbeatMs: 10 });
    await new Promise<void>((resolve) => setTimeout(() => (block(300), resolve()), 20));
    // A timer due after the overdue heartbeat: by the time it fires, the heartbeat has run.
    await sleep(30);
    const after = monitor.snapshot();
    // The heartbeat caught up: "late right now" is back to nothing…
    expect(after.currentDelayMs).toBeLessThan(250);
    // …but the stall that just ended is what a request queued behind it must be told about.
    expect(after.recentStallMs).toBeGreaterThanOrEqual(250);
    expect(after.maxDelayMs).toBeGreaterThanOrEqual(250);
  });

  it('forgets a stall once it is older than its memory, while the window maximum keeps it', async () => {
    const monitor = started({ heartbeatMs: 10, stallMemoryMs: 50 });
    await new Promise<void>((resolve) => setTimeout(() => (block(300), resolve()), 20));
    await nextTurn();
    expect(monitor.snapshot().recentStallMs).toBeGreaterThanOrEqual(250);
    await sleep(150);
    const later = monitor.snapshot();
    expect(later.recentStallMs).toBeLessThan(250);
    expect(later.maxDelayMs).toBeGreaterThanOrEqual(250);
  });

  it('stops its heartbeat on stop()', async () => {
    const monitor = started({ heartbeatMs: 10 });
    monitor.stop();
    await sleep(40);
    // With no heartbeat the delay only grows: a stopped monitor never claims a healthy loop.
    expect(monitor.snapshot().currentDelayMs).toBeGreaterThan(0);
  });
});
