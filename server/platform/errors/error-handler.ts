/**
 * Translates every error into RFC 9457 problem+json. Validation errors name the offending field;
 * 5xx answers never carry internal details (they are logged with the request id instead).
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../../../contracts/problem.ts';
import { problemTypeFor } from '../../../contracts/errors.ts';
import { SYSTEM_SCOPE, sameScope } from '../../../contracts/tenancy.ts';
import { AppError, errorCatalogue, type ErrorCode, type FieldError } from './catalogue.ts';
import { createOutageLog, type Dependency, type OutageLog } from './outage-log.ts';
import { findUnstorableText } from './unstorable-text.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Where request paths report an unavailable dependency, instead of logging each request. */
    outages: OutageLog;
  }
}

/** How often an open outage is summarized (and the database tried again). */
export const OUTAGE_SUMMARY_JOB = 'outage-summary';
const OUTAGE_SUMMARY_INTERVAL_MS = 30_000;

// Fastify's own error codes that are the client's fault, mapped to our catalogue.
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'WK_ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'WK_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'WK_ERR_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'WK_ERR_BAD_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'WK_ERR_BAD_REQUEST',
  FST_ERR_BAD_URL: 'WK_ERR_BAD_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'WK_ERR_BAD_REQUEST',
};

const UNAVAILABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
// PostgreSQL refuses text it cannot store (a NUL byte: 22021; a character the encoding lacks:
// 22P05). That is the request's content, not a fault here: 400 rather than 500.
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);
// pg's own timeouts: query_timeout giving up on a server that does not answer, and a connection
// that could not be made within connectionTimeoutMillis. ioredis's command timeout, its refusal
// without a connection (no offline queue) and our circuit breakers refusing while Redis or
// PostgreSQL is frozen.
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /^Query read timeout$/,
  /^Command timed out$/,
  /^Stream isn't writeable/,
  /\(circuit open\)/,
];

/**
 * A database or cache that cannot be reached is not a bug in the request: answer 503 (retryable)
 * rather than 500. SQLSTATE class 08 is "connection exception"; 57P0x are server shutdowns.
 */
export function isDependencyUnavailable(error: { code?: unknown; message?: string }): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  if (UNAVAILABLE_NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[1-3]$/.test(code)) return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message ?? ''));
}

const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Which dependency an unavailable-dependency error came from: ioredis names itself, the rest is pg. */
export function dependencyOf(error: { name?: string; message?: string }): Dependency {
  return /redis|MaxRetriesPerRequest|Connection is closed|Command timed out|Stream isn't writeable/i.test(`${error.name ?? ''} ${error.message ?? ''}`)
    ? 'cache'
    : 'database';
}

/** The problem+json body for `code`, for the few places that must hand the body back rather than send it. */
export function problemFor(request: FastifyRequest, code: ErrorCode, detail?: string, errors?: FieldError[]): Problem {
  const { status, title } = errorCatalogue[code];
  return {
    type: problemTypeFor(code),
    title,
    status,
    code,
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    ...(detail ? { detail } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, detail?: string, errors?: FieldError[]): FastifyReply {
  const problem = problemFor(request, code, detail, errors);
  const { status } = problem;
  // A 503 is a fault that passes (a dependency away, a timeout): tell clients when to try again.
  if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem);
}

function pointerFor(context: string | undefined, path: ReadonlyArray<PropertyKey>): string {
  const part = context === 'querystring' ? 'query' : (context ?? 'body');
  return `/${[part, ...path.map(String)].map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

function validationErrors(error: FastifyError): FieldError[] {
  if (hasZodFastifySchemaValidationErrors(error)) {
    return error.validation.map((issue) => {
      const instancePath = issue.instancePath.split('/').filter(Boolean);
      return { pointer: pointerFor(error.validationContext, instancePath), detail: issue.message ?? 'is invalid' };
    });
  }
  return (error.validation ?? []).map((issue) => ({
    pointer: pointerFor(error.validationContext, issue.instancePath.split('/').filter(Boolean)),
    detail: issue.message ?? ('is invalid' as string),
  }));
}

export const errorHandlerPlugin = fp(
  async (app) => {
    const outages = createOutageLog({ logger: app.log.child({ component: 'outages' }) });
    app.decorate('outages', outages);
    // The scheduler, database and events register after this plugin: wired once they exist.
    app.addHook('onReady', async () => {
      if (app.hasDecorator('events')) {
        app.events.on('health.transition', ({ component, scope, to }) => {
          if (to === 'pass' && (component === 'database' || component === 'cache') && sameScope(scope, SYSTEM_SCOPE)) outages.recovered(component);
        });
      }
      if (!app.hasDecorator('scheduler')) return;
      app.scheduler.every({ name: OUTAGE_SUMMARY_JOB, intervalMs: OUTAGE_SUMMARY_INTERVAL_MS }, async () => {
        // An outage ends when the database answers, whether or not health checks are scheduled.
        if (outages.open().includes('database') && app.hasDecorator('database')) {
          const answered = await app.database.pool.query('SELECT 1').then(
            () => true,
            () => false,
          );
          if (answered) outages.recovered('database');
        }
        outages.summarize();
      });
    });

    // Before the schema validation of every route: text the database cannot store is refused by name.
    app.addHook('preValidation', (request, reply, done) => {
      const body = request.body;
      if (body === null || (typeof body !== 'object' && typeof body !== 'string')) return done();
      const pointer = findUnstorableText(body);
      if (!pointer) return done();
      const detail = `${pointer}: contains NUL or a lone UTF-16 surrogate, which cannot be stored`;
      sendProblem(request, reply, 'WK_ERR_UNSTORABLE_TEXT', detail, [{ pointer, detail: 'contains NUL or a lone UTF-16 surrogate' }]);
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof AppError) {
        if (error.statusCode >= 500) request.log.error({ err: error.cause ?? error }, error.message);
        return sendProblem(request, reply, error.code, error.message, error.fieldErrors);
      }
      if (error.validation) {
        const errors = validationErrors(error);
        const summary = errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ');
        return sendProblem(request, reply, 'WK_ERR_VALIDATION', summary, errors);
      }
      const mapped = error.code ? fastifyCodes[error.code] : undefined;
      if (mapped) return sendProblem(request, reply, mapped, error.message);
      if (error.statusCode === 429) return sendProblem(request, reply, 'WK_ERR_RATE_LIMITED', error.message);
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        request.log.info({ err: error }, 'client error without a catalogue code');
        return sendProblem(request, reply, 'WK_ERR_BAD_REQUEST', error.message);
      }
      if (typeof error.code === 'string' && UNSTORABLE_TEXT_CODES.has(error.code)) {
        request.log.info({ err: error }, 'text the database cannot store');
        return sendProblem(request, reply, 'WK_ERR_UNSTORABLE_TEXT', 'The request contains characters that cannot be stored (such as NUL).');
      }
      if (isDependencyUnavailable(error)) {
        // Counted, not logged per request: an outage would otherwise flood the log.
        outages.report(dependencyOf(error), error, request);
        request.log.debug({ err: error }, 'a dependency is unavailable');
        return sendProblem(request, reply, 'WK_ERR_DEPENDENCY_UNAVAILABLE', 'The database or cache is unavailable; retry shortly.');
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, 'WK_ERR_INTERNAL', 'An internal error occurred; the request id identifies it in the logs.');
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, 'WK_ERR_ROUTE_NOT_FOUND', `${request.method} ${request.url.split('?')[0]} is not a route`),
    );
  },
  { name: 'errors' },
);
