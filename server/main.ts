/**
 * The process: configuration, logger, listen, signals and graceful shutdown. On SIGTERM/SIGINT
 * readiness fails at once while requests are still served for SHUTDOWN_DRAIN_DELAY_MS; then
 * in-flight requests finish, resources close, and the process exits 0 — or 1 if finishing takes
 * longer than SHUTDOWN_TIMEOUT_MS (server/platform/lifecycle/graceful-shutdown.ts).
 */
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './app.ts';
import type { Config } from './infra/config/index.ts';
import type { Tracing } from './infra/tracing/index.ts';
import { gracefulShutdown } from './platform/lifecycle/graceful-shutdown.ts';
import { startRedirectServer } from './platform/security/tls/redirect-server.ts';

export interface StartOptions {
  /** Tracing started by the caller, before this module's imports loaded what it instruments. */
  tracing?: Tracing | undefined;
}

export async function startWatchkeeper(config: Config, { tracing }: StartOptions = {}): Promise<FastifyInstance> {
  const logger = pino({
    level: config.server.logLevel,
    base: { service: config.server.serviceId },
    // Each line written while a span is active carries its trace and span ids.
    ...(tracing && { mixin: () => tracing.logFields() }),
  });
  let server: FastifyInstance;
  let redirect: { close(): Promise<void> } | undefined;
  try {
    server = await buildServer({ config, logger, tracing });
    await server.listen({ port: config.server.port, host: config.server.host });
    if (config.server.tlsCertFile && config.server.tlsRedirectPort !== undefined) {
      const address = server.server.address();
      const httpsPort = typeof address === 'object' && address ? address.port : config.server.port;
      redirect = await startRedirectServer({ port: config.server.tlsRedirectPort, host: config.server.host, httpsPort });
      logger.info({ port: config.server.tlsRedirectPort, httpsPort }, 'redirecting plain HTTP to HTTPS');
    } else if (config.server.tlsRedirectPort !== undefined) {
      logger.warn('TLS_REDIRECT_PORT is set but TLS is off (no TLS_CERT_FILE): not redirecting');
    }
  } catch (error) {
    logger.fatal({ err: error }, `Watchkeeper could not start: ${(error as Error).message}`);
    process.exit(1);
  }

  const shutdown = gracefulShutdown({
    server,
    alsoClose: async () => redirect?.close(),
    // Last, so that the spans of the final requests and of closing are exported too.
    afterClose: async () =>
      tracing?.shutdown().catch((error: unknown) => logger.warn({ err: error }, `tracing: spans not exported: ${(error as Error).message}`)),
    drainDelayMs: config.server.shutdownDrainDelayMs,
    timeoutMs: config.server.shutdownTimeoutMs,
    logger,
  });
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return server;
}
