/**
 * The `security-events` plugin: detectors observe what the audit log records (and, for API key
 * addresses, authenticated requests), and each detection becomes a stored security event,
 * counted in `watchkeeper_security_events_total` and published as `security.event`.
 *
 * With Redis, detection counts are shared by every instance (redis-sliding-window.ts), so an attack
 * spread over a cluster is counted whole; without it, or while Redis is unreachable, each instance
 * counts in memory what it observes. Storage dedupes across instances (one row per kind, subject
 * and window), and an hourly exclusive job deletes what is older than SECURITY_EVENTS_RETENTION_DAYS.
 */
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { Counter } from 'prom-client';
import { SYSTEM_ORGANIZATION_ID } from '../../../../contracts/tenancy.ts';
import type { Config } from '../../../infra/config/index.ts';
import { dependencyOf, isDependencyUnavailable } from '../../errors/index.ts';
import { apiKeyNewIpWatcher } from './api-key-new-ip.ts';
import type { AuditRecordedEvent, Detection, SecurityDetector } from './detector.ts';
import { bruteForceDetector } from './detectors/brute-force.ts';
import { ipRuleDenialsDetector } from './detectors/ip-rule-denials.ts';
import { passwordSprayingDetector } from './detectors/password-spraying.ts';
import { permissionDenialsDetector } from './detectors/permission-denials.ts';
import { rateLimitStormDetector } from './detectors/rate-limit-storm.ts';
import { createRedisSlidingWindows } from './redis-sliding-window.ts';
import { scheduleSecurityRetention } from './retention.ts';
import { createSecurityEventsRepository } from './security-events-repository.ts';
import { securityEventsRoutes } from './security-events.routes.ts';
import { memorySlidingWindows, type SlidingWindows } from './sliding-window.ts';

export type { Detection, SecurityDetector } from './detector.ts';
export type { SecurityEventsRepository, SecurityEventRecord } from './security-events-repository.ts';
export { SECURITY_RETENTION_JOB, runSecurityRetention, type SecurityRetentionOutcome } from './retention.ts';

export function detectorsFromConfig(config: Config, windows: SlidingWindows = memorySlidingWindows): SecurityDetector[] {
  const windowMs = config.server.securityDetectionWindowMs;
  return [
    bruteForceDetector({ threshold: config.server.securityBruteForceThreshold, windowMs, windows }),
    passwordSprayingDetector({ threshold: config.server.securitySprayAccountsThreshold, windowMs, windows }),
    permissionDenialsDetector({ threshold: config.server.securityDenialBurstThreshold, windowMs, windows }),
    ipRuleDenialsDetector({ threshold: config.server.securityIpRuleDenialsThreshold, windowMs, windows }),
    rateLimitStormDetector({ threshold: config.server.securityRateLimitStormThreshold, windowMs, windows }),
  ];
}

export const securityEventsPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const windowMs = config.server.securityDetectionWindowMs;
    const repository = createSecurityEventsRepository({ db: app.database.db });
    const logger = app.log.child({ component: 'security-events' });
    const windows = config.cache.redisUrl ? createRedisSlidingWindows({ redisClient: () => app.cache.redisClient(), logger }) : memorySlidingWindows;
    const detectors = detectorsFromConfig(config, windows);
    const total = new Counter({
      name: 'watchkeeper_security_events_total',
      help: 'Security events opened by the detectors of this instance',
      labelNames: ['kind', 'severity'] as const,
      registers: [app.metrics],
    });

    async function store(detection: Detection, at: Date): Promise<void> {
      const { event, opened } = await repository.record({ ...detection, organizationId: detection.organizationId ?? SYSTEM_ORGANIZATION_ID, windowMs, at });
      // Counted and published when an event opens, not on each update, so alerting hears of an
      // attack once per window rather than once per failed request.
      if (!opened) return;
      total.inc({ kind: event.kind, severity: event.severity });
      app.log.warn({ securityEvent: { kind: event.kind, severity: event.severity, subject: event.subject } }, 'security event');
      app.events.emit('security.event', event);
    }

    async function observe(detector: SecurityDetector, record: AuditRecordedEvent): Promise<void> {
      try {
        const detection = await detector.observe(record, record.at.getTime());
        if (detection) await store(detection, record.at);
      } catch (error) {
        // One detector failing (its store, most likely) must not keep the others from judging.
        logger.error({ err: error, detector: detector.kind }, 'security detection failed');
      }
    }

    // The bus does not wait for this handler, so neither counting (a Redis round trip) nor storing
    // delays or fails the request that was audited. Observations still running at shutdown are
    // waited for, so they do not outlive the database pool.
    const running = new Set<Promise<void>>();
    app.events.on('audit.recorded', (record) => {
      const observed = Promise.all(detectors.map((detector) => observe(detector, record))).then(() => undefined);
      running.add(observed);
      void observed.finally(() => running.delete(observed));
    });
    app.addHook('onClose', async () => {
      await Promise.all(running);
    });

    const watchApiKey = apiKeyNewIpWatcher({ repository });
    // Registered after the auth plugin, so the principal is known when this runs.
    const watch = async (request: FastifyRequest) => {
      try {
        const detection = await watchApiKey(request);
        if (detection) await store(detection, new Date());
      } catch (error) {
        // Detection must never fail the request it watches.
        if (isDependencyUnavailable(error as Error)) app.outages.report(dependencyOf(error as Error), error, request);
        else request.log.error({ err: error }, 'could not check the API key address');
      }
    };
    // Synchronous for every other caller: no promise on the requests it does not watch.
    app.addHook('onRequest', (request, _reply, done) => {
      if (request.principal?.kind !== 'api-key') return done();
      watch(request).then(() => done(), done);
    });

    scheduleSecurityRetention({
      scheduler: app.scheduler,
      db: app.database.db,
      logger,
      retentionDays: config.server.securityEventsRetentionDays,
    });

    await app.register(securityEventsRoutes, { repository });
  },
  { name: 'security-events', dependencies: ['errors', 'database', 'cache', 'events', 'metrics', 'scheduler', 'audit', 'auth'] },
);
