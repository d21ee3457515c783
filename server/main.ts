/**
 * The process: configuration, logger, listen, signals and graceful shutdown. On SIGTERM/SIGINT
 * readiness fails at once, in-flight requests finish, resources close, and the process exits 0 —
 * or 1 if that takes longer than SHUTDOWN_TIMEOUT_MS.
 */
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildServer } from './app.ts';
import type { Config } from './infra/config/index.ts';
import { startRedirectServer } from './platform/security/tls/redirect-server.ts';

export async function startWatchkeeper(config: Config): Promise<FastifyInstance> {
  const logger = pino({ level: config.server.logLevel, base: { service: config.server.serviceId } });
  let server: FastifyInstance;
  let redirect: { close(): Promise<void> } | undefined;
  try {
    server = await buildServer({ config, logger });
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

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    server.lifecycle.draining = true;
    logger.info({ signal, timeoutMs: config.server.shutdownTimeoutMs }, 'shutting down: draining in-flight requests');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.server.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.server.shutdownTimeoutMs);
    deadline.unref();
    Promise.all([server.close(), redirect?.close()]).then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return server;
}
