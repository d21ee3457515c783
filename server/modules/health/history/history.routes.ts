/** GET /health/history: stored samples, per-component uptime and latency, and state changes. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HealthHistoryResponse } from '../../../../contracts/health.ts';
import { AppError } from '../../../platform/errors/index.ts';
import type { HealthMonitor } from '../health-monitor.ts';
import type { LatencyBaseline } from '../latency-detector.ts';
import { encodeSampleCursor } from './history-cursor.ts';
import type { HealthHistoryRepository, HistoryScope, StoredEvent } from './health-history-repository.ts';
import { historyQuerySchema, historyReplies } from './history.schemas.ts';

export interface HistoryRoutesOptions {
  repository: HealthHistoryRepository;
  monitor: HealthMonitor;
  /** Whose history a request reads; by default the project the caller acts in (request.scope()). */
  resolveScope?: (request: FastifyRequest) => Promise<HistoryScope>;
  /** The window when the query names no `from`. */
  defaultWindowMs?: number;
  /** State changes (and recoveries) listed per component; the newest are kept. */
  eventsPerComponent?: number;
}

/**
 * Members of the system organization read Watchkeeper's own components; a tenant's members read
 * their project's (its external services). A member of other projects only is refused.
 */
async function callerScope(request: FastifyRequest): Promise<HistoryScope> {
  return request.scopeFor('health:read');
}

function emptyComponent(component: string): HealthHistoryResponse['components'][number] {
  return {
    component,
    samples: 0,
    uptimePercent: null,
    latencyMs: { p50: null, p95: null, p99: null },
    latencyExact: true,
    stateChanges: [],
    recoveries: [],
    truncated: false,
    latencyBaseline: null,
  };
}

function describeEvent(event: StoredEvent, into: HealthHistoryResponse['components'][number]): void {
  const at = event.occurredAt.toISOString();
  if (event.kind === 'transition' && event.to) {
    into.stateChanges.push({ at, from: event.from, to: event.to, output: event.output });
  } else if (event.kind === 'recovery') {
    const { action, outcome } = event.details;
    into.recoveries.push({
      at,
      action: typeof action === 'string' ? action : null,
      outcome: typeof outcome === 'string' ? outcome : null,
      output: event.output,
    });
  }
}

const roundMs = (value: number) => Math.round(value * 1000) / 1000;
const roundBaseline = ({ p95Ms, thresholdMs, samples, judging }: LatencyBaseline) => ({
  p95Ms: roundMs(p95Ms),
  thresholdMs: roundMs(thresholdMs),
  samples,
  judging,
});

export async function historyRoutes(
  app: FastifyInstance,
  { repository, monitor, resolveScope = callerScope, defaultWindowMs = 24 * 3_600_000, eventsPerComponent = 500 }: HistoryRoutesOptions,
) {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  /** A component the monitor runs now, in the reader's scope (another tenant's name stays hidden). */
  function monitored(component: string, scope: HistoryScope): boolean {
    return monitor.list(undefined, scope).some((state) => state.id === component);
  }

  routes.get(
    '/health/history',
    {
      // The permission is then checked on the caller's project (resolveScope).
      config: { access: { permission: 'health:read' } },
      schema: {
        tags: ['health'],
        summary: 'Stored health results: per-component uptime, latency percentiles and state changes in a window, and a page of samples',
        querystring: historyQuerySchema,
        response: historyReplies,
      },
    },
    async (request) => {
      const { component, limit, after } = request.query;
      const scope = await resolveScope(request);
      if (component !== undefined && !monitored(component, scope) && !(await repository.hasHistory(scope, component))) {
        throw new AppError('WK_ERR_HEALTH_COMPONENT_NOT_FOUND', `no health component named "${component}" is monitored or has history`);
      }
      const to = request.query.to ?? new Date();
      const from = request.query.from ?? new Date(to.getTime() - defaultWindowMs);
      const window = { scope, from, to, component };

      const [page, stats, { events, truncated }] = await Promise.all([
        repository.querySamples(window, { limit, after }),
        repository.queryStats(window),
        repository.queryEvents(window, { perComponent: eventsPerComponent }),
      ]);

      const components = new Map<string, HealthHistoryResponse['components'][number]>();
      const entry = (name: string) => components.get(name) ?? components.set(name, emptyComponent(name)).get(name)!;
      // Components monitored now are listed even before their first stored sample.
      if (component !== undefined) entry(component);
      else for (const state of monitor.list(undefined, scope)) entry(state.id);
      for (const s of stats) Object.assign(entry(s.component), s);
      for (const event of events) describeEvent(event, entry(event.component));
      for (const name of truncated) entry(name).truncated = true;
      for (const state of monitor.list(undefined, scope)) {
        const listed = components.get(state.id);
        const baseline = listed && monitor.latencyBaseline(state.id, state.scope);
        if (listed && baseline) listed.latencyBaseline = roundBaseline(baseline);
      }

      const body: HealthHistoryResponse = {
        from: from.toISOString(),
        to: to.toISOString(),
        components: [...components.values()].sort((a, b) => a.component.localeCompare(b.component)),
        samples: page.samples.map((s) => ({ ...s, checkedAt: s.checkedAt.toISOString() })),
        nextCursor: page.next ? encodeSampleCursor(page.next) : null,
      };
      return body;
    },
  );
}
