import { describe, expect, it } from 'vitest';
import type { AuditRecordedEvent } from '../detector.ts';
import { bruteForceDetector } from './brute-force.ts';
import { ipRuleDenialsDetector } from './ip-rule-denials.ts';
import { passwordSprayingDetector } from './password-spraying.ts';
import { permissionDenialsDetector } from './permission-denials.ts';
import { rateLimitStormDetector } from './rate-limit-storm.ts';

const org = 'aaaaaaaa-0000-4000-8000-000000000000';
const at = new Date('2026-01-01T00:00:00Z');

function record(fields: Partial<AuditRecordedEvent>): AuditRecordedEvent {
  return {
    action: 'auth.login',
    outcome: 'failure',
    organizationId: null,
    actorType: 'anonymous',
    actorId: null,
    actorLabel: null,
    targetType: null,
    targetId: null,
    targetLabel: null,
    ip: '192.0.2.1',
    details: {},
    at,
    ...fields,
  };
}

const failedLogin = (account: string, ip = '192.0.2.1') => record({ actorLabel: account, ip });

describe('brute-force detector', () => {
  it('reports a high event once one account reaches the threshold of failures', async () => {
    const detector = bruteForceDetector({ threshold: 3, windowMs: 60_000 });
    expect(await detector.observe(failedLogin('a@example.test', '192.0.2.1'), 0)).toBeUndefined();
    expect(await detector.observe(failedLogin('a@example.test', '192.0.2.2'), 1)).toBeUndefined();
    expect(await detector.observe(failedLogin('b@example.test'), 2)).toBeUndefined();
    expect(await detector.observe(failedLogin('a@example.test', '192.0.2.3'), 3)).toMatchObject({
      kind: 'brute-force',
      severity: 'high',
      subject: 'account:a@example.test',
      count: 3,
    });
  });

  it('counts attempts refused during a lockout too', async () => {
    const detector = bruteForceDetector({ threshold: 2, windowMs: 60_000 });
    await detector.observe(failedLogin('a@example.test'), 0);
    const locked = record({ outcome: 'denied', actorLabel: 'a@example.test', details: { reason: 'locked-out' } });
    expect(await detector.observe(locked, 1)).toMatchObject({ kind: 'brute-force', count: 2 });
  });

  it('weighs a record that stands for many refusals by its count', async () => {
    const detector = bruteForceDetector({ threshold: 10, windowMs: 60_000 });
    expect(await detector.observe(record({ outcome: 'denied', actorLabel: 'a@example.test', details: { reason: 'locked-out', count: 1 } }), 0)).toBeUndefined();
    expect(await detector.observe(record({ outcome: 'denied', actorLabel: 'a@example.test', details: { reason: 'locked-out', count: 9 } }), 1)).toMatchObject({
      kind: 'brute-force',
      count: 10,
    });
  });

  it('forgets failures older than the window', async () => {
    const detector = bruteForceDetector({ threshold: 2, windowMs: 1_000 });
    await detector.observe(failedLogin('a@example.test'), 0);
    expect(await detector.observe(failedLogin('a@example.test'), 5_000)).toBeUndefined();
  });

  it('ignores successful sign-ins and other actions', async () => {
    const detector = bruteForceDetector({ threshold: 1, windowMs: 60_000 });
    expect(await detector.observe(record({ outcome: 'success', actorLabel: 'a@example.test' }), 0)).toBeUndefined();
    expect(await detector.observe(record({ action: 'access.denied', actorLabel: 'a@example.test' }), 0)).toBeUndefined();
  });
});

describe('password-spraying detector', () => {
  it('counts distinct accounts from one address, not repeated tries on one', async () => {
    const detector = passwordSprayingDetector({ threshold: 3, windowMs: 60_000 });
    await detector.observe(failedLogin('a@example.test'), 0);
    expect(await detector.observe(failedLogin('a@example.test'), 1)).toBeUndefined();
    expect(await detector.observe(failedLogin('b@example.test'), 2)).toBeUndefined();
    expect(await detector.observe(failedLogin('c@example.test', '192.0.2.99'), 3)).toBeUndefined();
    expect(await detector.observe(failedLogin('c@example.test'), 4)).toMatchObject({
      kind: 'password-spraying',
      severity: 'high',
      subject: 'ip:192.0.2.1',
      count: 3,
    });
  });
});

describe('password-spraying detector, with aggregated records', () => {
  it('counts many tries on one account, written as one record, as one account', async () => {
    const detector = passwordSprayingDetector({ threshold: 2, windowMs: 60_000 });
    expect(await detector.observe(record({ actorLabel: 'a@example.test', details: { count: 50 } }), 0)).toBeUndefined();
    expect(await detector.observe(record({ actorLabel: 'b@example.test', details: { count: 1 } }), 1)).toMatchObject({ count: 2 });
  });
});

describe('permission-denials detector', () => {
  it('weighs an aggregated denial by its count', async () => {
    const detector = permissionDenialsDetector({ threshold: 10, windowMs: 60_000 });
    const denial = (count: number) =>
      record({
        action: 'access.denied',
        outcome: 'denied',
        actorType: 'api-key',
        actorId: 'k1',
        organizationId: org,
        details: { permission: 'users:write', count },
      });
    expect(await detector.observe(denial(1), 0)).toBeUndefined();
    expect(await detector.observe(denial(11), 1)).toMatchObject({ kind: 'permission-denials', subject: 'api-key:k1', count: 12 });
  });

  it('reports a burst of denials for one principal in its organization', async () => {
    const detector = permissionDenialsDetector({ threshold: 2, windowMs: 60_000 });
    const denial = record({
      action: 'access.denied',
      outcome: 'denied',
      actorType: 'user',
      actorId: 'u1',
      organizationId: org,
      details: { permission: 'users:write' },
    });
    expect(await detector.observe(denial, 0)).toBeUndefined();
    expect(await detector.observe({ ...denial, actorId: 'u2' }, 1)).toBeUndefined();
    expect(await detector.observe(denial, 2)).toMatchObject({
      kind: 'permission-denials',
      severity: 'medium',
      subject: 'user:u1',
      organizationId: org,
      count: 2,
    });
  });
});

describe('ip-rule-denials detector', () => {
  it('weighs an aggregated denial by its count, and ignores a count that is not a positive integer', async () => {
    const detector = ipRuleDenialsDetector({ threshold: 5, windowMs: 60_000 });
    const denial = (count: unknown) => record({ action: 'ip-rule.deny', outcome: 'denied', ip: '203.0.113.6', details: { count } });
    expect(await detector.observe(denial('many'), 0)).toBeUndefined();
    expect(await detector.observe(denial(-3), 1)).toBeUndefined();
    expect(await detector.observe(denial(3), 2)).toMatchObject({ count: 5 });
  });

  it('reports an address refused by the IP rules', async () => {
    const detector = ipRuleDenialsDetector({ threshold: 1, windowMs: 60_000 });
    expect(await detector.observe(record({ action: 'ip-rule.deny', outcome: 'denied', ip: '203.0.113.5', targetId: 'admin' }), 0)).toMatchObject({
      kind: 'ip-rule-denials',
      severity: 'low',
      subject: 'ip:203.0.113.5',
    });
  });
});

describe('rate-limit-storm detector', () => {
  it('reports when many different clients are refused by one class', async () => {
    const detector = rateLimitStormDetector({ threshold: 2, windowMs: 60_000 });
    const block = (ip: string, targetId = 'auth') => record({ action: 'rate-limit.block', outcome: 'denied', ip, targetId });
    expect(await detector.observe(block('192.0.2.1'), 0)).toBeUndefined();
    expect(await detector.observe(block('192.0.2.1'), 1)).toBeUndefined();
    expect(await detector.observe(block('192.0.2.2', 'api'), 2)).toBeUndefined();
    expect(await detector.observe(block('192.0.2.2'), 3)).toMatchObject({
      kind: 'rate-limit-storm',
      severity: 'medium',
      subject: 'rate-limit-class:auth',
      count: 2,
    });
  });
});
