/**
 * IP-rule denials: an address refused by the allow/deny rules. The IP-rules plugin audits one
 * refusal per address and route group a minute, so the count here is of those records.
 */
import type { DetectorOptions, SecurityDetector } from '../detector.ts';
import { SlidingWindow } from '../sliding-window.ts';

export function ipRuleDenialsDetector({ threshold, windowMs }: DetectorOptions): SecurityDetector {
  const window = new SlidingWindow({ windowMs });
  return {
    kind: 'ip-rule-denials',
    observe(record, now) {
      if (record.action !== 'ip-rule.deny' || !record.ip) return undefined;
      const count = window.count(record.ip, now);
      if (count < threshold) return undefined;
      return { kind: 'ip-rule-denials', severity: 'low', subject: `ip:${record.ip}`, count, details: { ip: record.ip, lastRouteGroup: record.targetId, lastPath: record.details?.path } };
    },
  };
}
