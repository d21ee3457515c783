/** Password spraying: failed sign-ins on many different accounts from one address. */
import type { DetectorOptions, SecurityDetector } from '../detector.ts';
import { isRefusedSignIn } from '../sign-in-attempt.ts';
import { SlidingWindow } from '../sliding-window.ts';

export function passwordSprayingDetector({ threshold, windowMs }: DetectorOptions): SecurityDetector {
  const window = new SlidingWindow({ windowMs });
  return {
    kind: 'password-spraying',
    observe(record, now) {
      if (!isRefusedSignIn(record) || !record.ip) return undefined;
      const accounts = window.distinct(record.ip, record.actorLabel ?? record.targetId ?? '', now);
      if (accounts < threshold) return undefined;
      return { kind: 'password-spraying', severity: 'high', subject: `ip:${record.ip}`, count: accounts, details: { ip: record.ip, accounts } };
    },
  };
}
