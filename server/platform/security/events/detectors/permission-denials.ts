/** Denied-permission bursts: one user or API key refused again and again (probing for access). */
import { occurrencesOf, type DetectorOptions, type SecurityDetector } from '../detector.ts';
import { memorySlidingWindows } from '../sliding-window.ts';

export function permissionDenialsDetector({ threshold, windowMs, windows = memorySlidingWindows }: DetectorOptions): SecurityDetector {
  const window = windows('permission-denials', { windowMs });
  return {
    kind: 'permission-denials',
    async observe(record, now) {
      if (record.action !== 'access.denied' || !record.actorId) return undefined;
      const subject = `${record.actorType}:${record.actorId}`;
      const count = await window.count(`${record.organizationId ?? ''}|${subject}`, now, occurrencesOf(record));
      if (count < threshold) return undefined;
      return {
        kind: 'permission-denials',
        severity: 'medium',
        subject,
        organizationId: record.organizationId ?? undefined,
        count,
        details: { actor: record.actorLabel, lastIp: record.ip, lastPermission: record.details?.permission, lastRoute: record.details?.route },
      };
    },
  };
}
