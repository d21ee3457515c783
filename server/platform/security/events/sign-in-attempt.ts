/** Whether an audit record is a refused sign-in attempt: a failure, or a try on a locked-out account or address. */
import type { AuditRecordedEvent } from './detector.ts';

export function isRefusedSignIn(record: AuditRecordedEvent): boolean {
  if (record.action !== 'auth.login') return false;
  // Attempts during a lockout still count: an attacker does not stop because the lock engaged, and
  // with the default lockout after 5 failures they are most of what an attack produces.
  return record.outcome === 'failure' || (record.outcome === 'denied' && record.details?.reason === 'locked-out');
}
