/**
 * Security-event rules: per event kind, how many events of at least the rule's severity were seen
 * in the window; a kind with at least `count` of them is one sample, its value that number. The
 * sample names the worst severity seen as `event_severity`, since `severity` is the rule's own.
 */
import { securityEventSeverities, securityEventsQuerySchema, type SecurityEventsQuery } from '../../../../../contracts/alert-rules.ts';
import type { SecurityEventsRepository } from '../../../../platform/security/events/index.ts';
import type { AlertSample, AlertSource, SourceContext, SourceResult } from './alert-source.ts';

export function createSecurityEventsSource({ repository }: { repository: Pick<SecurityEventsRepository, 'countSeen'> }): AlertSource<SecurityEventsQuery> {
  return {
    type: 'security-events',
    querySchema: securityEventsQuerySchema,
    async evaluate(query: SecurityEventsQuery, { organizationId, now }: SourceContext): Promise<SourceResult> {
      const severities = securityEventSeverities.slice(securityEventSeverities.indexOf(query.minSeverity));
      const rows = await repository.countSeen({ organizationId, kinds: query.kinds, severities, from: new Date(now.getTime() - query.window), to: now });
      const byKind = new Map<string, { count: number; worst: number }>();
      for (const row of rows) {
        const seen = byKind.get(row.kind) ?? { count: 0, worst: 0 };
        seen.count += row.count;
        seen.worst = Math.max(seen.worst, securityEventSeverities.indexOf(row.severity));
        byKind.set(row.kind, seen);
      }
      const samples: AlertSample[] = [];
      for (const [kind, { count, worst }] of byKind) {
        if (count >= query.count) samples.push({ labels: { kind, event_severity: securityEventSeverities[worst]! }, value: count });
      }
      return { kind: 'ok', samples };
    },
  };
}
