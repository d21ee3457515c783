/**
 * Password spraying: failed sign-ins on many different accounts from one address. Distinct accounts
 * are counted, so an aggregated record (many tries on one account) counts once, as it should.
 */
import type { DetectorOptions, SecurityDetector } from '../detector.ts';
import { isRefusedSignIn } from '../sign-in-attempt.ts';
import { memorySlidingWindows } from '../sliding-window.ts';

export function passwordSprayingDetector({ threshold, windowMs, windows = memorySlidingWindows }: DetectorOptions): SecurityDetector {
  const window = windows('password-spraying', { windowMs });
  return {
    kind: 'password-spraying',
    async observe(record, now) {
      if (!isRefusedSignIn(record) || !record.ip) return undefined;
      const accounts = await window.distinct(record.ip, record.actorLabel ?? record.targetId ?? '', now);
      if (accounts < threshold) return undefined;
      return { kind: 'password-spraying', severity: 'high', subject: `ip:${record.ip}`, count: accounts, details: { ip: record.ip, accounts } };
    },
  };
}
