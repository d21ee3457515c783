/**
 * The Alertmanager API v2 under /alertmanager/api/v2, so a Prometheus (`alerting.alertmanagers`
 * with `path_prefix: /alertmanager` and the API key as its bearer token), amtool
 * (`--alertmanager.url=http://watchkeeper:8080/alertmanager`), Grafana's Alertmanager data source
 * and Karma use Watchkeeper as their Alertmanager. Posting alerts and changing silences needs
 * `alerts:write`, reading `alerts:read`; everything belongs to the key's project (or X-Project's).
 * Watchkeeper's own rule alerts are in the same store, so they appear here too.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  alertGroupSchema,
  alertsQuerySchema,
  gettableAlertSchema,
  gettableSilenceSchema,
  postableAlertsSchema,
  postableSilenceSchema,
  receiverSchema,
  silenceIdParamsSchema,
  silencesQuerySchema,
  type ApiMatcher,
  type GettableAlert,
} from '../../../contracts/alertmanager.ts';
import { problemSchema } from '../../../contracts/problem.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { AlertsRepository, StoredAlert } from './alerts-repository.ts';
import type { AlertingConfigs } from './alerting-config.ts';
import { alertStatusOf, type SuppressionContext } from './alert-status.ts';
import { fromApiMatcher, matchesAll, parseMatchers, MatcherParseError, type Matcher } from './routing/matchers.ts';
import { silenceState, type SilencesRepository, type StoredSilence } from './silences-repository.ts';

export interface AlertmanagerApiOptions {
  alerts: AlertsRepository;
  silences: SilencesRepository;
  configs: AlertingConfigs;
  startedAt: Date;
  version: string;
}

const PREFIX = '/alertmanager/api/v2';

function filterMatchers(filters: readonly string[] | undefined, pointer: string): Matcher[] {
  return (filters ?? []).flatMap((text, index) => {
    try {
      return parseMatchers(text);
    } catch (error) {
      if (error instanceof MatcherParseError)
        throw new AppError('WK_ERR_MATCHER_INVALID', `${pointer}/${index}: ${error.message}`, {
          fieldErrors: [{ pointer: `${pointer}/${index}`, detail: error.message }],
        });
      throw error;
    }
  });
}

/** Checks that each silence matcher compiles (a regex must be valid RE2). */
function compiledSilenceMatchers(matchers: readonly ApiMatcher[]): Matcher[] {
  return matchers.map((matcher, index) => {
    try {
      return fromApiMatcher(matcher);
    } catch (error) {
      // fromApiMatcher throws only for a regex that RE2 does not accept.
      if (error instanceof Error)
        throw new AppError('WK_ERR_MATCHER_INVALID', `/body/matchers/${index}: ${error.message}`, {
          fieldErrors: [{ pointer: `/body/matchers/${index}/value`, detail: error.message }],
        });
      throw error;
    }
  });
}

const toSilenceReply = (silence: StoredSilence, now: Date) => ({
  id: silence.id,
  status: { state: silenceState(silence, now) },
  updatedAt: silence.updatedAt.toISOString(),
  matchers: silence.matchers,
  startsAt: silence.startsAt.toISOString(),
  endsAt: silence.endsAt.toISOString(),
  createdBy: silence.createdBy,
  comment: silence.comment,
});

/** A silence is listed under a filter when the labels its equality matchers pin down match it (Alertmanager's rule). */
function silenceMatchesFilter(silence: StoredSilence, filter: readonly Matcher[]): boolean {
  const pinned = Object.fromEntries(silence.matchers.filter((m) => m.isEqual && !m.isRegex).map((m) => [m.name, m.value]));
  return matchesAll(filter, pinned);
}

export async function alertmanagerApiRoutes(app: FastifyInstance, { alerts, silences, configs, startedAt, version }: AlertmanagerApiOptions) {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['alertmanager'];
  const read = { access: { permission: 'alerts:read' } } as const;
  const write = { access: { permission: 'alerts:write' } } as const;
  const refusals = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };
  const projectFor = async (request: FastifyRequest, permission: 'alerts:read' | 'alerts:write') => (await request.scopeFor(permission)).projectId;

  /** What decides each alert's receivers and suppression, read once per request. */
  async function suppressionFor(projectId: string, now: Date): Promise<SuppressionContext> {
    const [config, all, firing] = await Promise.all([
      configs.of(projectId),
      silences.list(projectId, { now, keepExpiredMs: 0 }),
      alerts.firing(projectId, now),
    ]);
    const active = all
      .filter((silence) => silenceState(silence, now) === 'active')
      .map((silence) => ({ id: silence.id, matchers: compiledSilenceMatchers(silence.matchers) }));
    return { config, silences: active, firing, now };
  }

  function toAlertReply(alert: StoredAlert, context: SuppressionContext): GettableAlert {
    const { receivers, status } = alertStatusOf(alert, context);
    return {
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: alert.startsAt.toISOString(),
      endsAt: alert.endsAt.toISOString(),
      updatedAt: alert.updatedAt.toISOString(),
      generatorURL: alert.generatorURL,
      fingerprint: alert.fingerprint,
      receivers: receivers.map((name) => ({ name })),
      status,
    };
  }

  async function listedAlerts(request: FastifyRequest, query: z.output<typeof alertsQuerySchema>): Promise<GettableAlert[]> {
    const projectId = await projectFor(request, 'alerts:read');
    const filter = filterMatchers(query.filter, '/query/filter');
    const now = new Date();
    const context = await suppressionFor(projectId, now);
    const receiver = query.receiver === undefined ? undefined : compileReceiverPattern(query.receiver);
    return context.firing
      .filter((alert) => matchesAll(filter, alert.labels))
      .map((alert) => toAlertReply(alert, context))
      .filter((alert) => {
        const { silencedBy, inhibitedBy, mutedBy } = alert.status;
        if (query.active === false && alert.status.state === 'active') return false;
        if (query.silenced === false && silencedBy.length > 0) return false;
        if (query.inhibited === false && inhibitedBy.length > 0) return false;
        if (query.muted === false && mutedBy.length > 0) return false;
        if (receiver && !alert.receivers.some((r) => receiver(r.name))) return false;
        return true;
      });
  }

  routes.post(
    `${PREFIX}/alerts`,
    {
      config: write,
      schema: {
        tags,
        summary: 'Post alerts (what Prometheus sends each evaluation); labels identify an alert, endsAt in the past resolves it',
        body: postableAlertsSchema,
        response: { 200: z.null().describe('Stored'), ...refusals },
      },
    },
    async (request, reply) => {
      const projectId = await projectFor(request, 'alerts:write');
      await alerts.receive(projectId, request.body);
      return reply.code(200).send(null);
    },
  );

  routes.get(
    `${PREFIX}/alerts`,
    {
      config: read,
      schema: {
        tags,
        summary: 'The firing alerts, with their receivers and whether they are silenced or inhibited',
        querystring: alertsQuerySchema,
        response: { 200: z.array(gettableAlertSchema), ...refusals },
      },
    },
    async (request) => listedAlerts(request, request.query),
  );

  routes.get(
    `${PREFIX}/alerts/groups`,
    {
      config: read,
      schema: {
        tags,
        summary: 'The firing alerts as they are grouped for notification',
        querystring: alertsQuerySchema,
        response: { 200: z.array(alertGroupSchema), ...refusals },
      },
    },
    async (request) => {
      const projectId = await projectFor(request, 'alerts:read');
      const listed = await listedAlerts(request, request.query);
      const config = await configs.of(projectId);
      return config.groupsOf(listed);
    },
  );

  routes.get(
    `${PREFIX}/silences`,
    {
      config: read,
      schema: {
        tags,
        summary: 'The silences (expired ones of the last 5 days included)',
        querystring: silencesQuerySchema,
        response: { 200: z.array(gettableSilenceSchema), ...refusals },
      },
    },
    async (request) => {
      const projectId = await projectFor(request, 'alerts:read');
      const filter = filterMatchers(request.query.filter, '/query/filter');
      const now = new Date();
      const order = { active: 0, pending: 1, expired: 2 } as const;
      return (await silences.list(projectId, { now }))
        .filter((silence) => silenceMatchesFilter(silence, filter))
        .map((silence) => toSilenceReply(silence, now))
        .sort((a, b) => order[a.status.state] - order[b.status.state]);
    },
  );

  routes.post(
    `${PREFIX}/silences`,
    {
      config: write,
      schema: {
        tags,
        summary: 'Create a silence, or update one (by its id)',
        body: postableSilenceSchema,
        response: { 200: z.object({ silenceID: z.string() }), ...refusals },
      },
    },
    async (request) => {
      const projectId = await projectFor(request, 'alerts:write');
      compiledSilenceMatchers(request.body.matchers);
      const silenceID = await silences.put(projectId, request.body);
      await app.audit.recordRequest(request, {
        action: request.body.id === silenceID ? 'silence.update' : 'silence.create',
        outcome: 'success',
        target: { type: 'silence', id: silenceID },
        details: { projectId, matchers: request.body.matchers, startsAt: request.body.startsAt, endsAt: request.body.endsAt },
      });
      return { silenceID };
    },
  );

  routes.get(
    `${PREFIX}/silence/:silenceID`,
    { config: read, schema: { tags, summary: 'One silence', params: silenceIdParamsSchema, response: { 200: gettableSilenceSchema, ...refusals } } },
    async (request) => {
      const projectId = await projectFor(request, 'alerts:read');
      const silence = await silences.get(projectId, request.params.silenceID);
      if (!silence) throw new AppError('WK_ERR_SILENCE_NOT_FOUND', `there is no silence ${request.params.silenceID} in this project`);
      return toSilenceReply(silence, new Date());
    },
  );

  routes.delete(
    `${PREFIX}/silence/:silenceID`,
    {
      config: write,
      schema: { tags, summary: 'Expire a silence', params: silenceIdParamsSchema, response: { 200: z.null().describe('Expired'), ...refusals } },
    },
    async (request, reply) => {
      const projectId = await projectFor(request, 'alerts:write');
      await silences.expire(projectId, request.params.silenceID);
      await app.audit.recordRequest(request, {
        action: 'silence.expire',
        outcome: 'success',
        target: { type: 'silence', id: request.params.silenceID },
        details: { projectId },
      });
      return reply.code(200).send(null);
    },
  );

  routes.get(
    `${PREFIX}/receivers`,
    { config: read, schema: { tags, summary: 'The receivers of the routing tree', response: { 200: z.array(receiverSchema), ...refusals } } },
    async (request) => (await configs.of(await projectFor(request, 'alerts:read'))).receivers.map((name) => ({ name })),
  );

  routes.get(
    `${PREFIX}/status`,
    {
      config: read,
      schema: {
        tags,
        summary: 'What Alertmanager clients read first: version, cluster and the configuration',
        response: {
          200: z.object({
            cluster: z.object({
              name: z.string(),
              status: z.enum(['ready', 'settling', 'disabled']),
              peers: z.array(z.object({ name: z.string(), address: z.string() })),
            }),
            versionInfo: z.object({
              branch: z.string(),
              buildDate: z.string(),
              buildUser: z.string(),
              goVersion: z.string(),
              revision: z.string(),
              version: z.string(),
            }),
            config: z.object({ original: z.string() }),
            uptime: z.string(),
          }),
          ...refusals,
        },
      },
    },
    async (request) => {
      const config = await configs.of(await projectFor(request, 'alerts:read'));
      return {
        // Instances coordinate through PostgreSQL, not gossip: there are no peers to show.
        cluster: { name: 'watchkeeper', status: 'disabled' as const, peers: [] },
        versionInfo: {
          branch: 'main',
          buildDate: '',
          buildUser: 'watchkeeper',
          goVersion: `watchkeeper (node ${process.versions.node})`,
          revision: '',
          version,
        },
        config: { original: config.original },
        uptime: startedAt.toISOString(),
      };
    },
  );
}

/** Alertmanager's `receiver` query parameter is a regular expression over receiver names. */
function compileReceiverPattern(pattern: string): (name: string) => boolean {
  try {
    const matcher = fromApiMatcher({ name: 'receiver', value: pattern, isRegex: true, isEqual: true });
    return (name) => matchesAll([matcher], { receiver: name });
  } catch (error) {
    if (error instanceof Error)
      throw new AppError('WK_ERR_MATCHER_INVALID', `/query/receiver: ${error.message}`, {
        fieldErrors: [{ pointer: '/query/receiver', detail: error.message }],
      });
    throw error;
  }
}
