/**
 * The `audit-log` health component: re-checks the chain's tail against its anchors on every run
 * (one indexed read and the anchors themselves), so a log cut or rewritten by someone with
 * database rights turns health to `fail` — and publishes `health.transition` for alerting —
 * without waiting for the next append or for someone to run `watchkeeper audit verify`. An
 * anchor that cannot be written warns. Not critical: the service still serves.
 */
import type { ProbeDefinition } from '../probes/index.ts';
import type { AuditAnchorWriter } from './anchor-writer.ts';

export function createAuditLogProbe({ anchors }: { anchors: AuditAnchorWriter }): ProbeDefinition {
  return {
    id: 'audit-log',
    componentType: 'component',
    critical: false,
    async check() {
      await anchors.flush();
      const { violation, failing, head } = anchors.state();
      const anchoredSeq = { name: 'headSeq', observedValue: head?.seq ?? null, status: 'pass' as const };
      if (violation) {
        const output = `tampering detected: ${violation.message} (${violation.store} anchor, noticed ${violation.at.toISOString()}); run \`watchkeeper audit verify\``;
        return { status: 'fail', output, measurements: [{ name: 'anchors', observedValue: 'violated', status: 'fail', output }, anchoredSeq] };
      }
      if (failing.length > 0) {
        const output = failing.map((f) => `cannot keep the ${f.store} anchor: ${f.message}`).join('; ');
        return { status: 'warn', output, measurements: [{ name: 'anchors', observedValue: 'failing', status: 'warn', output }, anchoredSeq] };
      }
      return { status: 'pass', measurements: [{ name: 'anchors', observedValue: 'consistent', status: 'pass' }, anchoredSeq] };
    },
  };
}
