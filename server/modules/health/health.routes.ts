/** The /health endpoints. Every answer comes from the latest stored results: no I/O here. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HEALTH_CONTENT_TYPE, httpStatusForHealth, type HealthResponse } from '../../../contracts/health.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { EventLoopMonitor } from './event-loop-monitor.ts';
import type { HealthMonitor } from './health-monitor.ts';
import type { ComponentState } from './component-state.ts';
import { sendEncoded } from './encoded-reply.ts';
import { aggregateStatus, buildHealthReport, reportOutput, type ReportSummary, type ServiceIdentity } from './health-report.ts';
import { HealthReportSerializer } from './health-report-serializer.ts';
import { componentParamsSchema, healthReplies, reportQuerySchema, reportReplies, testComponentReplies } from './health.schemas.ts';
import { nextLink, selectComponents, type ReportQuery } from './report-selection.ts';
import { isSchemaCurrent } from '../../infra/database/index.ts';
import { SYSTEM_ORGANIZATION_ID } from '../../../contracts/tenancy.ts';

export interface HealthRoutesOptions {
  monitor: HealthMonitor;
  loop: EventLoopMonitor;
  identity: ServiceIdentity;
  stallMs: number;
  isDraining: () => boolean;
  startedAt: Date;
}

function send(reply: FastifyReply, report: HealthResponse) {
  // Health must never be served stale by a proxy.
  return reply.code(httpStatusForHealth(report.status)).type(HEALTH_CONTENT_TYPE).header('cache-control', 'no-store').send(report);
}

/** A probe's answer serialized once, through the route's own response serializer. */
interface Serialized {
  code: number;
  body: string;
}

function serialized(reply: FastifyReply, report: HealthResponse): Serialized {
  const code = httpStatusForHealth(report.status);
  return { code, body: reply.code(code).serialize(report) as string };
}

/** Returns nothing: the probe handlers are synchronous (no promise per probe), and Fastify types them as returning a body or nothing. */
function sendSerialized(reply: FastifyReply, { code, body }: Serialized): void {
  reply.code(code).type(HEALTH_CONTENT_TYPE).header('cache-control', 'no-store').send(body);
}

export async function healthRoutes(app: FastifyInstance, { monitor, loop, identity, stallMs, isDraining, startedAt }: HealthRoutesOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['health'];
  // Kubernetes probes carry no credentials; the detailed reports are Watchkeeper's own and belong
  // to the system organization, so their permissions are asked of it. The probes are exempt from
  // every rate limit: a kubelet polls all the pods of its node from one address, and a refused
  // liveness probe restarts the pod. They are safe to leave unlimited because they read only
  // what the health checks last found — no I/O.
  // Never shed under load either: a busy instance must still be seen alive and ready.
  const probe = { access: 'public', rateLimit: 'exempt', loadShedding: 'exempt' } as const;
  const read = { access: { permission: 'health:read', organization: 'system' } } as const;
  // The probes' last answers, with what they were built from.
  let liveness: { inputs: readonly unknown[]; answer: Serialized } | undefined;
  let readiness: { version: number; draining: boolean; answer: Serialized } | undefined;
  const test = { access: { permission: 'health:test', organization: 'system' } } as const;

  routes.get(
    '/health/liveness',
    { config: probe, schema: { tags, summary: 'The process can serve (no dependency is touched)', response: healthReplies } },
    (_request, reply) => {
      // A request that queued behind a stall is read only after the stall ends: judge the recent one.
      const { currentDelayMs, recentStallMs, maxDelayMs } = loop.stall();
      const stalled = recentStallMs >= stallMs;
      const draining = isDraining();
      const observedValue = Math.round(recentStallMs * 100) / 100;
      const windowOutput = `max in recent window ${maxDelayMs.toFixed(1)} ms`;
      const now = Date.now();
      const stall =
        currentDelayMs >= stallMs
          ? `event loop blocked for ${currentDelayMs.toFixed(0)} ms`
          : `event loop was blocked for ${recentStallMs.toFixed(0)} ms moments ago`;
      const output = draining ? 'shutting down' : stalled ? `${stall} (threshold ${stallMs} ms)` : undefined;
      // Built and serialized only when something it says has changed: at probe rates most
      // requests share the millisecond and the loop's figures with the one before.
      const inputs = [now, draining, stalled, observedValue, windowOutput, output] as const;
      if (!liveness || inputs.some((input, i) => input !== liveness!.inputs[i])) {
        const status = draining || stalled ? 'fail' : 'pass';
        const report: HealthResponse = {
          status,
          version: identity.version,
          releaseId: identity.releaseId,
          serviceId: identity.serviceId,
          description: 'Watchkeeper liveness',
          notes: [],
          ...(output ? { output } : {}),
          checks: {
            'eventLoop:delay': [
              {
                componentId: 'event-loop',
                componentType: 'system',
                observedValue,
                observedUnit: 'ms',
                status: stalled ? 'fail' : 'pass',
                time: new Date(now).toISOString(),
                output: windowOutput,
              },
            ],
          },
        };
        liveness = { inputs, answer: serialized(reply, report) };
      }
      sendSerialized(reply, liveness.answer);
    },
  );

  routes.get(
    '/health/readiness',
    { config: probe, schema: { tags, summary: 'Ready for traffic: migrations applied, critical components passing, not draining', response: healthReplies } },
    (_request, reply) => {
      // Rebuilt only when a component's state or the drain has changed since the last answer.
      const draining = isDraining();
      if (readiness?.version === monitor.version && readiness.draining === draining) return sendSerialized(reply, readiness.answer);
      const version = monitor.version;
      const critical = monitor.list().filter((s) => s.critical);
      const reasons: string[] = [];
      if (draining) reasons.push('draining: shutting down');
      const database = monitor.get('database');
      // Judged only from a check that reached the database; an unreachable one is reported as such below.
      const schemaVersion = database?.measurements.find((m) => m.name === 'schemaVersion');
      if (schemaVersion && !isSchemaCurrent(schemaVersion.observedValue as string | undefined)) reasons.push('migrations not applied');
      for (const state of critical) {
        if (state.status === undefined) reasons.push(`${state.id}: not checked yet`);
        else if (state.status === 'fail') reasons.push(`${state.id}: ${state.output ?? 'failing'}`);
      }
      const status = reasons.length > 0 ? 'fail' : aggregateStatus(critical, { degraded: true });
      const report = buildHealthReport(identity, critical, {
        description: 'Watchkeeper readiness',
        status,
        ...(reasons.length ? { output: reasons.join('; ') } : {}),
      });
      readiness = { version, draining, answer: serialized(reply, report) };
      sendSerialized(reply, readiness.answer);
    },
  );

  const componentGroups = [
    ['database', 'Watchkeeper database: reachability, round trip, pool and schema version'],
    ['cache', 'Cache: reachability, latency, memory, hit ratio and evictions'],
    ['services', 'Configured external services'],
    ['memory', 'Process memory'],
    ['disk', 'Data volume free space'],
  ] as const;
  // The full reports list every component (10,000 with as many services): serialized from pieces
  // kept per component, not through the route's zod serializer (health-report-serializer.ts),
  // gzipped when the client accepts it and a 304 when its ETag is still current (encoded-reply.ts).
  const reports = new HealthReportSerializer({ identity });
  const boot = startedAt.getTime();
  const sendReport = (
    request: FastifyRequest,
    reply: FastifyReply,
    { group, all, query, summary }: { group: string | undefined; all: ComponentState[]; query: ReportQuery; summary: ReportSummary },
  ) => {
    const page = selectComponents(all, query);
    const list = group ?? 'status';
    const links = page.next === undefined ? undefined : { next: nextLink(request.url, page.next) };
    // Narrowed: the report's status and output still describe every component, the checks the page.
    const narrowed = query.status !== undefined || query.limit !== undefined || query.after !== undefined;
    const described = narrowed
      ? {
          ...summary,
          output: summary.output ?? reportOutput(all, undefined) ?? '',
          notes: [...(summary.notes ?? []), `listed ${page.states.length} of ${all.length} components`],
        }
      : summary;
    return sendEncoded(request, reply, {
      code: httpStatusForHealth(summary.status),
      contentType: HEALTH_CONTENT_TYPE,
      // Health must never be served stale by a proxy; a client may still ask "changed since?".
      headers: { 'cache-control': 'no-store' },
      // The states change only with the monitor's version; the rest of the body is the summary's.
      etagInputs: [boot, monitor.version, list, request.url, summary.status, JSON.stringify(summary)],
      body: (encoding) =>
        reports.serialize(page.states, { ...described, ...(links ? { links } : {}) }, narrowed ? `${list}?${query.status ?? ''}` : list, encoding),
    });
  };
  for (const [group, summary] of componentGroups) {
    routes.get(`/health/${group}`, { config: read, schema: { tags, summary, querystring: reportQuerySchema, response: reportReplies } }, (request, reply) => {
      const states = monitor.list(group);
      const status = aggregateStatus(states, { degraded: false });
      sendReport(request, reply, { group, all: states, query: request.query, summary: { description: summary, status } });
    });
  }

  routes.get(
    '/health/status',
    {
      config: read,
      schema: { tags, summary: 'Full report: every component, overall status, uptime and version', querystring: reportQuerySchema, response: reportReplies },
    },
    (request, reply) => {
      const states = monitor.list();
      const status = isDraining() ? 'fail' : aggregateStatus(states, { degraded: true });
      const uptimeSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
      sendReport(request, reply, {
        group: undefined,
        all: states,
        query: request.query,
        summary: { description: 'Watchkeeper status', status, notes: [`uptime ${uptimeSeconds} s`, `started ${startedAt.toISOString()}`] },
      });
    },
  );

  routes.post(
    '/health/test/:component',
    {
      config: test,
      schema: { tags, summary: "Run a component's check now and return its result", params: componentParamsSchema, response: testComponentReplies },
    },
    async (request, reply) => {
      const run = monitor.runNow(request.params.component);
      if (!run)
        throw new AppError(
          'WK_ERR_HEALTH_COMPONENT_NOT_FOUND',
          `no health component named "${request.params.component}"; known: ${monitor
            .list()
            .map((s) => s.id)
            .join(', ')}`,
        );
      const state = await run;
      // The record is this request's only write: if it cannot be written, the caller is told so.
      await app.audit.recordRequest(request, {
        action: 'health.test',
        outcome: 'success',
        organizationId: SYSTEM_ORGANIZATION_ID,
        target: { type: 'health-component', id: state.id },
        details: { status: state.status ?? null },
      });
      return send(reply, buildHealthReport(identity, [state], { description: `on-demand check of ${state.id}`, status: state.status ?? 'fail' }));
    },
  );
}
