/**
 * The `load-shedding` plugin: while the process is overloaded — the event loop's mean delay over
 * the last second, the heap used, or the requests queued for a database connection above its
 * threshold (@fastify/under-pressure samples the first two each second; the queue is read per
 * request) —
 * every request is refused at once with 503 problem+json `WK_ERR_OVERLOADED` and Retry-After,
 * before any other hook spends work on it. Refusing early keeps the requests already accepted
 * within their latency and the process alive, instead of queueing until everything times out.
 *
 * Routes that declare `config.loadShedding: 'exempt'` (the liveness and readiness probes) are
 * always answered: they are how an orchestrator sees the instance, and a refused liveness probe
 * restarts a pod that is only busy.
 */
import { getHeapStatistics } from 'node:v8';
import fp from 'fastify-plugin';
import underPressure from '@fastify/under-pressure';
import { Counter } from 'prom-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../infra/config/index.ts';
import { PROBLEM_CONTENT_TYPE, type Problem } from '../../../contracts/problem.ts';
import { problemFor, sendProblem } from '../errors/index.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `exempt`: never refused by load shedding (the probes). Every other route is shed under pressure. */
    loadShedding?: 'exempt';
  }
}

/** Counted on app.metrics. */
export const LOAD_SHED_METRIC = 'watchkeeper_load_shed_requests_total';

const pressureDetail: Record<string, (value: number | undefined) => string> = {
  eventLoopDelay: (value) => `The event loop is ${Math.round(value ?? 0)} ms behind`,
  heapUsedBytes: (value) => `The heap holds ${Math.round((value ?? 0) / 1_048_576)} MiB`,
};

export const loadSheddingPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const { loadShedMaxEventLoopDelayMs, loadShedMaxHeapUsedPercent, loadShedMaxDatabaseWaiting, loadShedRetryAfterSeconds } = config.server;
    const shed = new Counter({ name: LOAD_SHED_METRIC, help: 'Requests refused 503 by load shedding', labelNames: ['reason'], registers: [app.metrics] });

    // Returning a value makes under-pressure send it (and go no further); undefined lets the request through.
    function refuse(request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined): Problem | undefined {
      if (request.routeOptions.config?.loadShedding === 'exempt') return undefined;
      shed.inc({ reason: type });
      reply.code(503).header('retry-after', String(loadShedRetryAfterSeconds)).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify);
      const why = pressureDetail[type]?.(value) ?? 'The instance is overloaded';
      return problemFor(request, 'WK_ERR_OVERLOADED', `${why}; retry after ${loadShedRetryAfterSeconds} s`);
    }

    await app.register(underPressure, {
      // 0 turns a check off, in the settings and in under-pressure alike.
      maxEventLoopDelay: loadShedMaxEventLoopDelayMs,
      maxHeapUsedBytes: Math.floor((getHeapStatistics().heap_size_limit * loadShedMaxHeapUsedPercent) / 100),
      retryAfter: loadShedRetryAfterSeconds,
      // Its type says void, its documentation (and code) send whatever else the handler returns.
      pressureHandler: refuse as unknown as (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => void,
    });

    // The pool's queue, read on every request rather than sampled: a sample taken every few hundred
    // ms lets a burst of hundreds of requests in between, and they all queue. A queue for the pool
    // grows latency without delaying the event loop, so under-pressure cannot see it.
    if (loadShedMaxDatabaseWaiting > 0) {
      app.addHook('onRequest', (request, reply, done) => {
        if (request.routeOptions.config?.loadShedding === 'exempt') return done();
        const queued = app.database.poolStats().waiting;
        if (queued <= loadShedMaxDatabaseWaiting) return done();
        shed.inc({ reason: 'databaseWaiting' });
        reply.header('retry-after', String(loadShedRetryAfterSeconds));
        // Answered here, so done() is not called: the request goes no further.
        sendProblem(
          request,
          reply,
          'WK_ERR_OVERLOADED',
          `${queued} requests are waiting for a database connection; retry after ${loadShedRetryAfterSeconds} s`,
        );
      });
    }
  },
  { name: 'load-shedding', dependencies: ['metrics', 'database'] },
);
