/**
 * The `audit` plugin: `app.audit` for recording security-relevant events into the hash-chained,
 * append-only audit_log table, the anchors that pin the chain's tail outside the database, and the
 * /api/audit routes to query, export and verify it.
 */
import fp from 'fastify-plugin';
import type { Config } from '../../infra/config/index.ts';
import { auditAnchorStores } from './anchor-stores.ts';
import { createAuditAnchorWriter } from './anchor-writer.ts';
import { createAuditLogProbe } from './audit-log-probe.ts';
import { createAuditRepository } from './audit-repository.ts';
import { auditRoutes } from './audit.routes.ts';
import { createAuditLog } from './create-audit-log.ts';

export type { AuditLog, AuditEntry, AuditActor, AuditTarget, AuditOutcome } from './audit-log.ts';
export type { AuditAnchor, AuditAnchorStore } from './audit-anchor.ts';
export { createAuditRepository, type AuditRepository, type StoredAuditRecord } from './audit-repository.ts';
export { verifyAuditChain, type AuditChainReport, type AuditChainProblem, type AuditAnchorCheck } from './verify-audit-chain.ts';
export { auditAnchorStores } from './anchor-stores.ts';
export { fileAnchorStore } from './file-anchor-store.ts';
export { redisAnchorStore } from './redis-anchor-store.ts';

export const auditPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const repository = createAuditRepository({ db: app.database.db });
    const anchors = auditAnchorStores(config, () => app.cache.redisClient());
    const anchorWriter = createAuditAnchorWriter({ repository, stores: anchors, logger: app.log.child({ component: 'audit-anchor' }) });
    const windowMs = config.server.auditRepeatWindowMs;
    const audit = createAuditLog({
      repository,
      events: app.events,
      anchor: anchorWriter,
      repeats: { windowMs, logger: app.log.child({ component: 'audit' }) },
    });
    app.decorate('audit', audit);
    // Windows end on their own clock; a check every few seconds writes their summaries soon after.
    app.scheduler.every({ name: 'audit.repeated-denials', intervalMs: Math.min(windowMs, 5_000) }, () => audit.flushRepeated({ ended: true }));
    // Anchors a log that predates the anchors (or grew while this instance was down) without waiting for an append.
    app.addHook('onReady', async () => {
      anchorWriter.notify();
      // The health module registers after the platform; add the component once it exists.
      if (app.hasDecorator('health')) app.health.register(createAuditLogProbe({ anchors: anchorWriter }));
    });
    // Before the onClose hooks, so the detectors observing the summaries (security-events waits
    // for them in its own onClose) still have their database.
    app.addHook('preClose', () => audit.flushRepeated());
    // Added after the database and cache hooks, so it runs before them: the last anchor is written
    // first, after the summaries of denials counted since preClose (requests still in flight then).
    app.addHook('onClose', async () => {
      await audit.flushRepeated();
      await anchorWriter.close();
    });
    await app.register(auditRoutes, { repository, anchors });
  },
  { name: 'audit', dependencies: ['database', 'cache', 'events', 'scheduler'] },
);
