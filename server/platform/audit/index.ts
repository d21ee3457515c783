/**
 * The `audit` plugin: `app.audit` for recording security-relevant events into the hash-chained,
 * append-only audit_log table, and the /api/audit routes to query, export and verify it.
 */
import fp from 'fastify-plugin';
import { createAuditRepository } from './audit-repository.ts';
import { auditRoutes } from './audit.routes.ts';
import { createAuditLog } from './create-audit-log.ts';

export type { AuditLog, AuditEntry, AuditActor, AuditTarget, AuditOutcome } from './audit-log.ts';
export { createAuditRepository, type AuditRepository, type StoredAuditRecord } from './audit-repository.ts';
export { verifyAuditChain, type AuditChainReport, type AuditChainProblem } from './verify-audit-chain.ts';

export const auditPlugin = fp(
  async (app) => {
    const repository = createAuditRepository({ db: app.database.db });
    app.decorate('audit', createAuditLog({ repository, events: app.events }));
    await app.register(auditRoutes, { repository });
  },
  { name: 'audit', dependencies: ['database', 'events'] },
);
