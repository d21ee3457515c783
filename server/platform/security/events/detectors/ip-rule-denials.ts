/**
 * IP-rule denials: an address refused by the allow/deny rules. The IP-rules plugin audits one
 * refusal per address and route group a minute, so the count here is of those records.
 */
import type { DetectorOptions, SecurityDetector } from '../detector.ts';
import { memorySlidingWindows } from '../sliding-window.ts';

export function ipRuleDenialsDetector({ threshold, windowMs, windows = memorySlidingWindows }: DetectorOptions): SecurityDetector {
  const window = windows('ip-rule-denials', { windowMs });
  return {
    kind: 'ip-rule-denials',
    async observe(record, now) {
      if (record.action !== 'ip-rule.deny' || !record.ip) return undefined;
      const count = await window.count(record.ip, now);
      if (count < threshold) return undefined;
      return { kind: 'ip-rule-denials', severity: 'low', subject: `ip:${record.ip}`, count, details: { ip: record.ip, lastRouteGroup: record.targetId, lastPath: record.details?.path } };
    },
  };
}
