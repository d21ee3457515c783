import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from './circuit-breaker.ts';

function clock() {
  let at = 1_000;
  return { now: () => at, advance: (ms: number) => void (at += ms) };
}

describe('circuit breaker', () => {
  it('lets every call through while closed, and a failure without a timeout keeps it closed', () => {
    const breaker = createCircuitBreaker();
    breaker.failed({ timedOut: false });
    expect(breaker.state).toBe('closed');
    expect([breaker.tryAcquire(), breaker.tryAcquire()]).toEqual([true, true]);
  });

  it('opens on a timeout and refuses every call until the cooldown has passed', () => {
    const time = clock();
    const changes: string[] = [];
    const breaker = createCircuitBreaker({ cooldownMs: 100, now: time.now, onChange: (s) => changes.push(s) });
    breaker.failed({ timedOut: true });
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    time.advance(99);
    expect(breaker.tryAcquire()).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('after the cooldown lets one probe through at a time; its answer closes the circuit', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ cooldownMs: 100, now: time.now });
    breaker.failed({ timedOut: true });
    time.advance(100);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(false);
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('reopens for a new cooldown when the probe fails in any way', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ cooldownMs: 100, now: time.now });
    breaker.failed({ timedOut: true });
    time.advance(100);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failed({ timedOut: false });
    expect(breaker.state).toBe('open');
    time.advance(50);
    expect(breaker.tryAcquire()).toBe(false);
    time.advance(50);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('lets another probe through when one has not reported back within a cooldown', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ cooldownMs: 100, now: time.now });
    breaker.failed({ timedOut: true });
    time.advance(100);
    expect(breaker.tryAcquire()).toBe(true); // a probe whose caller never says how it went
    time.advance(99);
    expect(breaker.tryAcquire()).toBe(false);
    time.advance(1);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.state).toBe('half-open');
  });

  it('probes at once when told the dependency is back', () => {
    const time = clock();
    const breaker = createCircuitBreaker({ cooldownMs: 60_000, now: time.now });
    breaker.failed({ timedOut: true });
    breaker.allowProbe();
    expect(breaker.tryAcquire()).toBe(true);
  });
});
