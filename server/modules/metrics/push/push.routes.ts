/**
 * The Pushgateway's push API under /push, so a team's batch jobs and short-lived services push
 * with the client they have (`new client.Pushgateway('http://watchkeeper:8080/push')` in
 * prom-client, `push_to_gateway('watchkeeper:8080/push', …)` in Python, the Go and Java pushers):
 *   PUT    /push/metrics/job/<job>{/<label>/<value>}   the group becomes exactly these metrics
 *   POST   …                                           these metrics replace those of the same names
 *   DELETE …                                           the group is deleted
 * Bodies in the text format (any Content-Type but protobuf's) or the delimited protobuf format,
 * optionally gzip-encoded; an API key with `metrics:write` as a bearer token or as the password
 * of Basic auth; the metrics belong to the key's project (or X-Project's).
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { AppError } from '../../../platform/errors/index.ts';
import { checkDeclarations, type DeclaredMetricsRepository } from '../declared/index.ts';
import type { TimeSeriesRepository } from '../timeseries/index.ts';
import { parseGroupingKey, type GroupingKey } from './grouping-key.ts';
import { PushFormatError, type PushedFamily } from './metric-families.ts';
import { parseProtobufDelimited, PROTOBUF_CONTENT_TYPE } from './protobuf-format.ts';
import { refuseClashes } from './pushed-exposition.ts';
import { PushRefused, type PushLimits, type PushedMetricsRepository } from './pushed-metrics-repository.ts';
import { pointsOfPush } from './pushed-points.ts';
import { deleteGroupReplies, pushReplies } from './push.schemas.ts';
import { parseTextFormat } from './text-format.ts';

const inflate = promisify(gunzip);

export interface PushRoutesOptions {
  repository: PushedMetricsRepository;
  declared: DeclaredMetricsRepository;
  /** METRICS_PUSH_REQUIRE_DECLARED */
  requireDeclared: boolean;
  /** Where pushes are also recorded as points, in the same transaction; absent with METRICS_TIME_SERIES_ENABLED=false. */
  timeSeries?: TimeSeriesRepository;
  registry: Registry;
  limits: PushLimits;
  bodyLimit: number;
}

export async function pushRoutes(app: FastifyInstance, { repository, declared, requireDeclared, timeSeries, registry, limits, bodyLimit }: PushRoutesOptions) {
  // Every body arrives as bytes, whatever it says it is: the format is told from Content-Type below.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  // Telemetry intake: the ingest budget and IP rules, as the logs and errors intake will have.
  const config = { access: { permission: 'metrics:write' }, rateLimit: 'ingest', ipRuleGroup: 'ingest' } as const;
  const tags = ['metrics'];
  const url = '/push/metrics/*';

  async function groupOf(request: FastifyRequest): Promise<{ projectId: string; key: GroupingKey }> {
    const scope = await request.scopeFor('metrics:write');
    const path = request.url.split('?', 1)[0]!.slice('/push/metrics/'.length);
    try {
      return { projectId: scope.projectId, key: parseGroupingKey(path) };
    } catch (error) {
      throw refusal(error, '/params/*');
    }
  }

  async function familiesOf(request: FastifyRequest): Promise<PushedFamily[]> {
    let body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'gzip') {
      body = await inflate(body, { maxOutputLength: bodyLimit }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ERR_BUFFER_TOO_LARGE') throw new AppError('WK_ERR_PAYLOAD_TOO_LARGE', `the body is over ${bodyLimit} bytes once decompressed`);
        throw new AppError('WK_ERR_PUSH_INVALID', 'the body is not valid gzip', { fieldErrors: [{ pointer: '/body', detail: 'not valid gzip' }] });
      });
    } else if (encoding !== 'identity') {
      throw new AppError('WK_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding} is not accepted (gzip or none)`);
    }
    const type = String(request.headers['content-type'] ?? '').toLowerCase();
    try {
      if (type.startsWith(PROTOBUF_CONTENT_TYPE)) {
        if (!/encoding=delimited/.test(type))
          throw new AppError('WK_ERR_UNSUPPORTED_MEDIA_TYPE', 'protobuf bodies must be encoding=delimited MetricFamily messages');
        return parseProtobufDelimited(body);
      }
      if (type.startsWith('application/openmetrics-text'))
        throw new AppError('WK_ERR_UNSUPPORTED_MEDIA_TYPE', 'push the Prometheus text format (text/plain; version=0.0.4) or protobuf, not OpenMetrics');
      return parseTextFormat(body.toString('utf8'));
    } catch (error) {
      throw refusal(error, '/body');
    }
  }

  async function store(request: FastifyRequest, replace: boolean) {
    const { projectId, key } = await groupOf(request);
    try {
      const families = await familiesOf(request);
      const declarations = await declared.of(
        projectId,
        families.map((family) => family.name),
      );
      try {
        refuseClashes(families, registry);
        checkDeclarations(families, declarations, key, { requireDeclared });
      } catch (error) {
        throw refusal(error, '/body');
      }
      const at = new Date();
      await repository.push({
        projectId,
        key,
        families,
        replace,
        limits,
        declarations,
        ...(timeSeries ? { within: (trx) => timeSeries.write(pointsOfPush(projectId, key, families), at, { trx }) } : {}),
      });
    } catch (error) {
      if (error instanceof AppError || error instanceof PushRefused) {
        await repository.markFailed(projectId, key).catch((failure: unknown) => request.log.warn({ err: failure }, 'the failed push could not be marked'));
      }
      if (error instanceof PushRefused)
        throw new AppError(error.reason === 'type-conflict' ? 'WK_ERR_PUSH_TYPE_CONFLICT' : 'WK_ERR_PUSH_SERIES_LIMIT', error.message);
      throw error;
    }
  }

  for (const method of ['PUT', 'POST'] as const) {
    app.route({
      method,
      url,
      bodyLimit,
      schema: {
        tags,
        summary:
          method === 'PUT'
            ? 'Push metrics: the group becomes exactly these (Pushgateway PUT)'
            : 'Push metrics: they replace those of the same names in the group (Pushgateway POST)',
        response: pushReplies,
      },
      config,
      handler: async (request, reply) => {
        await store(request, method === 'PUT');
        return reply.code(200).type('text/plain; charset=utf-8').send('');
      },
    });
  }
  app.route({
    method: 'DELETE',
    url,
    schema: { tags, summary: 'Delete a pushed group (Pushgateway DELETE)', response: deleteGroupReplies },
    config,
    handler: async (request, reply) => {
      const { projectId, key } = await groupOf(request);
      await repository.remove(projectId, key);
      return reply.code(202).type('text/plain; charset=utf-8').send('');
    },
  });
}

/** A format error as the 400 naming where it is; anything else as it is. */
function refusal(error: unknown, pointer: string): unknown {
  if (!(error instanceof PushFormatError)) return error;
  const at = error.line !== undefined ? `${pointer}/line/${error.line}` : error.metric ? `${pointer}/${error.metric}` : pointer;
  return new AppError('WK_ERR_PUSH_INVALID', error.message, { fieldErrors: [{ pointer: at, detail: error.message }] });
}
