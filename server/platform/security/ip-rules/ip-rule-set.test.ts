import { describe, expect, it } from 'vitest';
import { IpRuleSet, type IpRuleDefinition } from './ip-rule-set.ts';

const rule = (id: string, action: 'allow' | 'deny', cidr: string, scope: IpRuleDefinition['scope'] = 'all'): IpRuleDefinition => ({ id, action, cidr, scope });

describe('IpRuleSet', () => {
  it('allows everything when there are no rules', () => {
    expect(new IpRuleSet([]).evaluate('203.0.113.7', 'admin')).toEqual({ allowed: true });
  });

  it('denies an address matching a deny rule and names the rule', () => {
    const rules = new IpRuleSet([rule('d1', 'deny', '203.0.113.0/24')]);
    expect(rules.evaluate('203.0.113.7', 'web')).toEqual({ allowed: false, reason: 'denied', ruleId: 'd1' });
    expect(rules.evaluate('198.51.100.1', 'web')).toEqual({ allowed: true });
  });

  it('lets deny win over a matching allow', () => {
    const rules = new IpRuleSet([rule('a', 'allow', '10.0.0.0/8'), rule('d', 'deny', '10.1.0.0/16')]);
    expect(rules.evaluate('10.1.2.3', 'admin').allowed).toBe(false);
    expect(rules.evaluate('10.2.2.3', 'admin').allowed).toBe(true);
  });

  it('admits only matching addresses to a group with allow rules, leaving other groups open', () => {
    const rules = new IpRuleSet([rule('office', 'allow', '192.0.2.0/24', 'admin')]);
    expect(rules.evaluate('192.0.2.10', 'admin').allowed).toBe(true);
    expect(rules.evaluate('198.51.100.1', 'admin')).toEqual({ allowed: false, reason: 'not-allowed' });
    expect(rules.evaluate('198.51.100.1', 'health').allowed).toBe(true);
  });

  it('requires both the global and the group allow list to match', () => {
    const rules = new IpRuleSet([rule('g', 'allow', '10.0.0.0/8'), rule('a', 'allow', '10.9.0.0/16', 'admin')]);
    expect(rules.evaluate('10.9.1.1', 'admin').allowed).toBe(true);
    expect(rules.evaluate('10.8.1.1', 'admin').allowed).toBe(false);
    expect(rules.evaluate('10.8.1.1', 'web').allowed).toBe(true);
    expect(rules.evaluate('192.0.2.1', 'web').allowed).toBe(false);
  });

  it('matches IPv6 ranges and IPv4-mapped addresses', () => {
    const rules = new IpRuleSet([rule('v6', 'deny', '2001:db8::/32'), rule('v4', 'deny', '127.0.0.0/8', 'health')]);
    expect(rules.evaluate('2001:db8:1::5', 'web').allowed).toBe(false);
    expect(rules.evaluate('2001:db9::5', 'web').allowed).toBe(true);
    expect(rules.evaluate('::ffff:127.0.0.1', 'health').allowed).toBe(false);
  });
});
