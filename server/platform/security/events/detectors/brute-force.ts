/** Brute force: many failed sign-ins on one account, from anywhere. */
import { occurrencesOf, type DetectorOptions, type SecurityDetector } from '../detector.ts';
import { isRefusedSignIn } from '../sign-in-attempt.ts';
import { memorySlidingWindows } from '../sliding-window.ts';

export function bruteForceDetector({ threshold, windowMs, windows = memorySlidingWindows }: DetectorOptions): SecurityDetector {
  const window = windows('brute-force', { windowMs });
  return {
    kind: 'brute-force',
    async observe(record, now) {
      if (!isRefusedSignIn(record)) return undefined;
      // A failed sign-in names the account tried in the actor label (the email as typed, normalized).
      const account = record.actorLabel ?? record.targetId;
      if (!account) return undefined;
      const count = await window.count(account, now, occurrencesOf(record));
      if (count < threshold) return undefined;
      return { kind: 'brute-force', severity: 'high', subject: `account:${account}`, count, details: { account, userId: record.targetId, lastIp: record.ip } };
    },
  };
}
