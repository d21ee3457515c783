/**
 * Names each request's server span by its route: the http instrumentation sees only the method
 * and the raw URL, and a raw URL would make every `/api/services/<id>` a span name of its own.
 */
import fp from 'fastify-plugin';
import type { Tracing } from './tracing.ts';

export const requestSpanPlugin = fp<{ tracing: Tracing }>(
  async (app, { tracing }) => {
    // onRequest still runs in the server span's context, before any span of the request's own.
    app.addHook('onRequest', (request, _reply, done) => {
      const route = request.routeOptions.url;
      if (route !== undefined) tracing.nameServerSpan(request.method, route);
      done();
    });
  },
  { name: 'request-span' },
);
