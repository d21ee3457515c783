/** The /health endpoints. Every answer comes from the latest stored results: no I/O here. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HEALTH_CONTENT_TYPE, httpStatusForHealth, type HealthResponse } from '../../../contracts/health.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { EventLoopMonitor } from './event-loop-monitor.ts';
import type { HealthMonitor } from './health-monitor.ts';
import type { ComponentState } from './component-state.ts';
import { encodingFor, etagOf, sendAnswer, type EncodedAnswer } from './encoded-reply.ts';
import { ReadSnapshots } from './read-snapshots.ts';
import { aggregateStatus, buildHealthReport, reportOutput, type ReportSummary, type ServiceIdentity } from './health-report.ts';
import { HealthReportSerializer } from './health-report-serializer.ts';
import { componentParamsSchema, healthReplies, reportQuerySchema, reportReplies, testComponentReplies } from './health.schemas.ts';
import { describeQuery, nextLink, selectComponents, type ReportQuery } from './report-selection.ts';
import { isSchemaCurrent } from '../../infra/database/index.ts';
import { SYSTEM_ORGANIZATION_ID } from '../../../contracts/tenancy.ts';

export interface HealthRoutesOptions {
  monitor: HealthMonitor;
  loop: EventLoopMonitor;
  identity: ServiceIdentity;
  stallMs: number;
  isDraining: () => boolean;
  startedAt: Date;
  snapshots?: ReportSnapshotSettings;
}

/** How the full reports' answers are kept (read-snapshots.ts). */
export interface ReportSnapshotSettings {
  /** An answer is rebuilt at most this often while components keep changing: the most it can lag. */
  windowMs: number;
  /** Below this many components every answer is current (a rebuild then costs well under a millisecond). */
  coalesceFrom: number;
  now?: () => number;
}

/**
 * At 10,000 components a full report costs ~25 ms of CPU to build and some component changes
 * every ~6 ms; one build a second is ~3% of a core whatever the number of readers, and a second
 * is well inside the checks' own interval (a result is already up to an interval old when read).
 */
export const DEFAULT_REPORT_SNAPSHOTS: ReportSnapshotSettings = { windowMs: 1_000, coalesceFrom: 1_000 };

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

export async function healthRoutes(
  app: FastifyInstance,
  { monitor, loop, identity, stallMs, isDraining, startedAt, snapshots = DEFAULT_REPORT_SNAPSHOTS }: HealthRoutesOptions,
) {
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
  // Each whole answer is kept and rebuilt at most once per window while components keep changing
  // (read-snapshots.ts says why that bounds staleness); small installations are always current.
  const reports = new HealthReportSerializer({ identity });
  const answers = new ReadSnapshots<EncodedAnswer>({ now: snapshots.now });
  const boot = startedAt.getTime();
  const sendReport = (
    request: FastifyRequest,
    reply: FastifyReply,
    { group, list, query, summary }: { group: string | undefined; list: () => ComponentState[]; query: ReportQuery; summary: () => ReportSummary },
    moreInputs: readonly unknown[] = [],
  ) => {
    const encoding = encodingFor(request);
    const windowMs = monitor.size >= snapshots.coalesceFrom ? snapshots.windowMs : 0;
    // By path and parsed query, not the URL as sent: parameters it does not know, or spelled
    // differently, must not each keep a 7 MiB copy of the same report.
    const path = request.url.split('?')[0]!;
    const key = `${encoding} ${path} ${describeQuery(query)}`;
    const build = (): EncodedAnswer => {
      const version = monitor.version;
      const all = list();
      const reported = summary();
      const page = selectComponents(all, query);
      const name = group ?? 'status';
      const links = page.next === undefined ? undefined : { next: nextLink(path, query, page.next) };
      // Narrowed: the report's status and output still describe every component, the checks the page.
      const narrowed = query.status !== undefined || query.limit !== undefined || query.after !== undefined;
      const described = narrowed
        ? {
            ...reported,
            output: reported.output ?? reportOutput(all, undefined) ?? '',
            notes: [...(reported.notes ?? []), `listed ${page.states.length} of ${all.length} components`],
          }
        : reported;
      return {
        code: httpStatusForHealth(reported.status),
        contentType: HEALTH_CONTENT_TYPE,
        encoding,
        // Health must never be served stale by a proxy; a client may still ask "changed since?".
        headers: { 'cache-control': 'no-store' },
        // The states change only with the monitor's version; the rest of the body is the summary's.
        etag: etagOf([boot, version, key, JSON.stringify(reported)], encoding),
        body: reports.serialize(page.states, { ...described, ...(links ? { links } : {}) }, narrowed ? `${name}?${query.status ?? ''}` : name, encoding),
      };
    };
    // Draining turns the report to "fail" at once; the components' results may lag by the window.
    return sendAnswer(request, reply, answers.get(key, { exact: [isDraining()], coalesced: [monitor.version, ...moreInputs], windowMs }, build));
  };
  for (const [group, summary] of componentGroups) {
    routes.get(`/health/${group}`, { config: read, schema: { tags, summary, querystring: reportQuerySchema, response: reportReplies } }, (request, reply) => {
      let states: ComponentState[] | undefined;
      const list = () => (states ??= monitor.list(group));
      sendReport(request, reply, {
        group,
        list,
        query: request.query,
        summary: () => ({ description: summary, status: aggregateStatus(list(), { degraded: false }) }),
      });
    });
  }

  routes.get(
    '/health/status',
    {
      config: read,
      schema: { tags, summary: 'Full report: every component, overall status, uptime and version', querystring: reportQuerySchema, response: reportReplies },
    },
    (request, reply) => {
      let states: ComponentState[] | undefined;
      const list = () => (states ??= monitor.list());
      const uptimeSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
      sendReport(
        request,
        reply,
        {
          group: undefined,
          list,
          query: request.query,
          summary: () => ({
            description: 'Watchkeeper status',
            status: isDraining() ? 'fail' : aggregateStatus(list(), { degraded: true }),
            notes: [`uptime ${uptimeSeconds} s`, `started ${startedAt.toISOString()}`],
          }),
        },
        [uptimeSeconds],
      );
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
