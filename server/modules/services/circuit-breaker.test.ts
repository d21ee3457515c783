import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';

function breakerAt(start = 1_000_000) {
  const clock = { now: start };
  const breaker = new CircuitBreaker({ cooldownMs: 30_000, now: () => clock.now });
  return { breaker, clock };
}

describe('CircuitBreaker', () => {
  it('lets every call through while closed', () => {
    const { breaker } = breakerAt();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ allowed: true, trial: false });
    expect(breaker.nextTrialAt).toBeUndefined();
  });

  it('refuses calls while open and names the time of the next trial', () => {
    const { breaker, clock } = breakerAt();
    breaker.open();
    clock.now += 29_999;
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ allowed: false, reason: 'circuit open', nextTrialAt: new Date(1_030_000) });
  });

  it('lets exactly one half-open trial through once the cool-down is over', () => {
    const { breaker, clock } = breakerAt();
    breaker.open();
    clock.now += 30_000;
    expect(breaker.state).toBe('half-open');
    const trial = breaker.admit();
    expect(trial).toEqual({ allowed: true, trial: true });
    expect(breaker.admit()).toMatchObject({ allowed: false, reason: expect.stringContaining('trial is in progress') });
  });

  it('closes after a passing trial', () => {
    const { breaker, clock } = breakerAt();
    breaker.open();
    clock.now += 30_000;
    breaker.record(breaker.admit(), true);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ allowed: true, trial: false });
  });

  it('opens for another cool-down after a failing trial', () => {
    const { breaker, clock } = breakerAt();
    breaker.open();
    clock.now += 31_000;
    breaker.record(breaker.admit(), false);
    expect(breaker.state).toBe('open');
    expect(breaker.nextTrialAt).toEqual(new Date(1_031_000 + 30_000));
  });

  it('ignores outcomes of calls that were not the trial', () => {
    const { breaker } = breakerAt();
    const ordinary = breaker.admit();
    breaker.record(ordinary, false);
    expect(breaker.state).toBe('closed');
  });
});
