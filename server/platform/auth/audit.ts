/** Records through the audit log when it is installed; an audit failure is logged, never shown to the caller. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntry } from '../audit/audit-log.ts';
import type { RepeatOptions } from '../audit/repeated-denials.ts';
import { dependencyOf, isDependencyUnavailable } from '../errors/index.ts';

export async function recordAudit(app: FastifyInstance, request: FastifyRequest, entry: AuditEntry): Promise<void> {
  if (!app.hasDecorator('audit')) return;
  try {
    await app.audit.recordRequest(request, entry);
  } catch (error) {
    // The database is down: one line for the outage (see outage-log.ts), not one per refused request.
    if (isDependencyUnavailable(error as Error) && app.hasDecorator('outages')) return app.outages.report(dependencyOf(error as Error), error, request);
    request.log.error({ err: error, action: entry.action }, 'could not write the audit record');
  }
}

/**
 * Records a denial the caller can repeat at will (a refused key, a missing permission): identical
 * ones are counted per window instead of written one by one (see audit/repeated-denials.ts).
 */
export async function recordDenial(app: FastifyInstance, request: FastifyRequest, entry: AuditEntry, options?: RepeatOptions): Promise<void> {
  if (app.hasDecorator('audit')) await app.audit.recordRepeated(request, entry, options);
}
