import { describe, expect, it } from 'vitest';
import { buildInhibitRule, isInhibited } from './inhibition.ts';

const rule = buildInhibitRule({ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['cluster'] });

describe('isInhibited', () => {
  it('inhibits a target while a matching source with equal labels fires', () => {
    expect(isInhibited({ severity: 'warning', cluster: 'a' }, [{ severity: 'critical', cluster: 'a' }], [rule])).toBe(true);
  });

  it('does not inhibit when an equal label differs', () => {
    expect(isInhibited({ severity: 'warning', cluster: 'a' }, [{ severity: 'critical', cluster: 'b' }], [rule])).toBe(false);
  });

  it('counts an equal label absent on both sides as equal', () => {
    expect(isInhibited({ severity: 'warning' }, [{ severity: 'critical' }], [rule])).toBe(true);
    expect(isInhibited({ severity: 'warning' }, [{ severity: 'critical', cluster: 'a' }], [rule])).toBe(false);
  });

  it('does not inhibit what the target matchers miss', () => {
    expect(isInhibited({ severity: 'info' }, [{ severity: 'critical' }], [rule])).toBe(false);
  });

  it('does not let an alert matching both sides inhibit itself or its twins', () => {
    const both = buildInhibitRule({ sourceMatchers: ['alertname="Down"'], targetMatchers: ['alertname="Down"'] });
    const alert = { alertname: 'Down', instance: 'x' };
    expect(isInhibited(alert, [alert], [both])).toBe(false);
    expect(isInhibited(alert, [{ alertname: 'Down', instance: 'y' }], [both])).toBe(false);
  });

  it('still lets a one-sided source inhibit a target that matches both sides', () => {
    const r = buildInhibitRule({ sourceMatchers: ['tier=~"a|b"'], targetMatchers: ['tier="b"'] });
    expect(isInhibited({ tier: 'b' }, [{ tier: 'a' }], [r])).toBe(true);
  });

  it('rejects a rule with an invalid matcher, naming where', () => {
    expect(() => buildInhibitRule({ sourceMatchers: ['a=~"("'], targetMatchers: ['b="c"'] })).toThrow(/sourceMatchers/);
  });
});
