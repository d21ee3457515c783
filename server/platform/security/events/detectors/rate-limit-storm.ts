/**
 * Rate-limit storms: many different clients refused by one rate-limit class at once. Distinct
 * clients is what is counted, so how often one client was refused (an aggregated record's count)
 * does not matter here; the `address` class is the per-address guard before authentication.
 */
import type { DetectorOptions, SecurityDetector } from '../detector.ts';
import { memorySlidingWindows } from '../sliding-window.ts';

export function rateLimitStormDetector({ threshold, windowMs, windows = memorySlidingWindows }: DetectorOptions): SecurityDetector {
  const window = windows('rate-limit-storm', { windowMs });
  return {
    kind: 'rate-limit-storm',
    async observe(record, now) {
      if (record.action !== 'rate-limit.block') return undefined;
      const rateLimitClass = record.targetId ?? 'unknown';
      const client = record.actorId ? `${record.actorType}:${record.actorId}` : `ip:${record.ip ?? ''}`;
      const clients = await window.distinct(rateLimitClass, client, now);
      if (clients < threshold) return undefined;
      return {
        kind: 'rate-limit-storm',
        severity: 'medium',
        subject: `rate-limit-class:${rateLimitClass}`,
        count: clients,
        details: { rateLimitClass, clients },
      };
    },
  };
}
