/**
 * The application as one plugin, wired in a visible order: infrastructure, then platform, then
 * feature modules. `main.ts` runs it as a process; tests build it directly with `buildServer`.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { ServerOptions as HttpServerOptions } from 'node:http';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from './infra/config/index.ts';
import { packageRoot } from './infra/package-root.ts';
import { databasePlugin } from './infra/database/index.ts';
import { cachePlugin } from './infra/cache/index.ts';
import { requestSpanPlugin, type Tracing } from './infra/tracing/index.ts';
import { errorHandlerPlugin } from './platform/errors/index.ts';
import { lifecyclePlugin } from './platform/lifecycle/index.ts';
import { eventsPlugin } from './platform/events/index.ts';
import { schedulerPlugin } from './platform/scheduler/index.ts';
import { authPlugin, declarePublic, routeAccessPlugin } from './platform/auth/index.ts';
import { auditPlugin } from './platform/audit/index.ts';
import { securityHeadersPlugin } from './platform/security/headers/index.ts';
import { ipRulesPlugin } from './platform/security/ip-rules/index.ts';
import { addressRateLimitPlugin, rateLimitPlugin } from './platform/security/rate-limit/index.ts';
import { securityEventsPlugin } from './platform/security/events/index.ts';
import { metricsPlugin } from './platform/metrics/index.ts';
import { loadSheddingPlugin } from './platform/overload/index.ts';
import { httpsOptions } from './platform/security/tls/https-options.ts';
import { clientErrorHandler } from './platform/errors/client-error.ts';
import { healthPlugin } from './modules/health/index.ts';
import { setupPlugin } from './modules/setup/index.ts';
import { webPlugin } from './platform/web/index.ts';
import { usersPlugin } from './modules/users/index.ts';
import { tenancyPlugin } from './modules/tenancy/index.ts';
import { apiKeysPlugin } from './modules/api-keys/index.ts';
import { servicesPlugin } from './modules/services/index.ts';
import { statusPagesPlugin } from './modules/status-pages/index.ts';
import { metricsEndpointPlugin } from './modules/metrics/index.ts';
import { alertsPlugin } from './modules/alerts/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

const packageJson = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
export const VERSION = packageJson.version;

export interface AppOptions {
  config: Config;
  /** Start the scheduled health checks on ready (default true). */
  startHealthChecks?: boolean;
  /** Names each request's span by its route; tracing itself is started by the process, not the app. */
  tracing?: Tracing | undefined;
}

export const app = fp<AppOptions>(
  async (instance, { config, startHealthChecks = true, tracing }) => {
    instance.decorate('config', config);
    instance.setValidatorCompiler(validatorCompiler);
    instance.setSerializerCompiler(serializerCompiler);
    instance.addHook('onSend', (request, reply, payload, done) => {
      reply.header('x-request-id', request.id);
      done(null, payload);
    });

    // Infrastructure
    if (tracing) await instance.register(requestSpanPlugin, { tracing });
    await instance.register(errorHandlerPlugin);
    // Before any route: every route must declare its access (server/platform/auth/route-access.ts).
    await instance.register(routeAccessPlugin);
    // Before any route: its onResponse hook counts every route's requests (platform/metrics).
    await instance.register(metricsPlugin);
    // Early, so every answer (403s and 429s too) carries the security headers.
    await instance.register(securityHeadersPlugin);
    await instance.register(swagger, {
      openapi: {
        info: { title: 'Watchkeeper API', version: VERSION, description: 'Self-hosted operations hub' },
      },
      transform: jsonSchemaTransform,
    });
    await instance.register(async (docs) => {
      docs.addHook('onRoute', declarePublic); // the API description is public, like the docs of any API
      await docs.register(swaggerUi, { routePrefix: '/docs' });
    });
    await instance.register(databasePlugin, { config });
    await instance.register(cachePlugin, { config });

    // Platform
    await instance.register(lifecyclePlugin);
    await instance.register(eventsPlugin);
    await instance.register(schedulerPlugin);
    // Before every check that costs work: an overloaded process refuses a request first (503), probes excepted.
    await instance.register(loadSheddingPlugin, { config });
    // Before authentication: a refused address never reaches the login or API-key code.
    await instance.register(ipRulesPlugin, { config });
    // Before authentication too: a flood from one address is refused before any lookup or write.
    await instance.register(addressRateLimitPlugin, { config });
    await instance.register(auditPlugin, { config });
    await instance.register(authPlugin, { config });
    // After authentication, so an authenticated caller is limited per API key or user.
    await instance.register(rateLimitPlugin, { config });
    // After authentication: detectors observe audit records and authenticated API key use.
    await instance.register(securityEventsPlugin, { config });

    // Modules
    await instance.register(setupPlugin);
    await instance.register(usersPlugin);
    await instance.register(tenancyPlugin);
    await instance.register(apiKeysPlugin);
    await instance.register(healthPlugin, {
      config,
      identity: { version: VERSION, releaseId: config.server.releaseId ?? VERSION, serviceId: config.server.serviceId },
      autoStart: startHealthChecks,
    });
    await instance.register(servicesPlugin, { config });
    await instance.register(statusPagesPlugin);
    await instance.register(alertsPlugin, { version: VERSION });
    // After the features whose state it exports (health above all).
    await instance.register(metricsEndpointPlugin, { config });

    // The dashboard, last: its pages call the API above in process.
    await instance.register(webPlugin);
  },
  { name: 'watchkeeper' },
);

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Node's server options, given at construction: `https` when TLS_CERT_FILE is set, and the
 * deadlines for a request to arrive. Without them a client that sends its headers, or a body, a
 * byte at a time holds its connection forever; Node answers 408 and closes it, checking once a
 * second (its default, 30 s, would let a stalled connection live half a minute past its deadline).
 */
function listenerOptions(config: Config): { https: HttpsServerOptions } | { http: HttpServerOptions } {
  const { requestTimeoutMs, requestHeadersTimeoutMs } = config.server;
  const deadlines = {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(requestHeadersTimeoutMs, requestTimeoutMs),
    connectionsCheckingInterval: 1_000,
  };
  const https = httpsOptions({ certFile: config.server.tlsCertFile, keyFile: config.server.tlsKeyFile });
  return https ? { https: { ...https, ...deadlines } } : { http: deadlines };
}

/** Fastify server options Watchkeeper needs at construction time. */
export function serverOptions(config: Config, logger: FastifyServerOptions['loggerInstance'] | boolean = true): FastifyServerOptions {
  return {
    ...(typeof logger === 'object' ? { loggerInstance: logger } : { logger: logger ? { level: config.server.logLevel } : false }),
    bodyLimit: config.server.bodyLimitBytes,
    // Keep a caller's request id when it is well-formed, so logs correlate across services.
    genReqId: (request) => {
      const header = request.headers['x-request-id'];
      return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    // 408, 431 and unparseable requests as problem+json too.
    clientErrorHandler,
    forceCloseConnections: 'idle',
    // A first start initialises the embedded PostgreSQL cluster and migrates; on a slow or busy
    // machine that outlasts Fastify's 10 s default per plugin.
    pluginTimeout: 120_000,
    // The client address is the socket peer unless the request came through a proxy we trust.
    trustProxy: config.server.trustProxy.length > 0 ? config.server.trustProxy : false,
    // Fastify sets this on the Node server after construction; it must repeat listenerOptions'.
    requestTimeout: config.server.requestTimeoutMs,
    ...listenerOptions(config),
  };
}

export async function buildServer({
  config,
  logger,
  startHealthChecks,
  tracing,
}: {
  config: Config;
  logger?: FastifyServerOptions['loggerInstance'] | boolean;
  startHealthChecks?: boolean;
  tracing?: Tracing | undefined;
}): Promise<FastifyInstance> {
  const server = Fastify(serverOptions(config, logger));
  await server.register(app, { config, startHealthChecks, tracing });
  return server as unknown as FastifyInstance;
}
