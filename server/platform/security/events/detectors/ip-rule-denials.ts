/**
 * IP-rule denials: an address refused by the allow/deny rules. The IP-rules plugin audits repeated
 * refusals as one record per window carrying their count, which is what is weighed here.
 */
import { occurrencesOf, type DetectorOptions, type SecurityDetector } from '../detector.ts';
import { memorySlidingWindows } from '../sliding-window.ts';

export function ipRuleDenialsDetector({ threshold, windowMs, windows = memorySlidingWindows }: DetectorOptions): SecurityDetector {
  const window = windows('ip-rule-denials', { windowMs });
  return {
    kind: 'ip-rule-denials',
    async observe(record, now) {
      if (record.action !== 'ip-rule.deny' || !record.ip) return undefined;
      const count = await window.count(record.ip, now, occurrencesOf(record));
      if (count < threshold) return undefined;
      return {
        kind: 'ip-rule-denials',
        severity: 'low',
        subject: `ip:${record.ip}`,
        count,
        details: { ip: record.ip, lastRouteGroup: record.targetId, lastPath: record.details?.path },
      };
    },
  };
}
