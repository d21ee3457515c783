/**
 * The shutdown sequence a load balancer can follow. On the first SIGTERM/SIGINT readiness fails,
 * but requests are still served for the drain delay (balancers poll readiness every few seconds
 * and keep sending until they notice). Then the listener stops accepting, requests whose body is
 * still arriving are cut, the requests being worked on get `timeoutMs` to finish, the connections
 * left (idle or still sending headers) are closed, and resources close. A second signal skips the
 * waiting; a third exits at once.
 *
 * Not close-with-grace: its second signal and its timeout call `process.exit` on the spot, which
 * would leave the embedded PostgreSQL running, and its single timeout cannot leave the drain delay
 * out of the in-flight budget.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { trackHttpDrain } from './http-drain.ts';

export interface GracefulShutdownOptions {
  server: FastifyInstance;
  /** Other listeners to close with the server (the HTTP → HTTPS redirect). */
  alsoClose?: () => Promise<void>;
  /** Runs once everything is closed, bounded by the same timeout (the tracer's last export). */
  afterClose?: () => Promise<void>;
  drainDelayMs: number;
  timeoutMs: number;
  logger: Logger;
  exit?: (code: number) => void;
}

type Phase = 'serving' | 'draining' | 'closing' | 'forced';

/** Wires the sequence to the HTTP server now; returns the signal handler that starts it. */
export function gracefulShutdown({
  server,
  alsoClose = async () => undefined,
  afterClose = async () => undefined,
  drainDelayMs,
  timeoutMs,
  logger,
  exit = (code) => process.exit(code),
}: GracefulShutdownOptions): (signal: NodeJS.Signals) => void {
  const http = trackHttpDrain(server.server);
  const hurry = new AbortController();
  let phase: Phase = 'serving';

  async function run(signal: NodeJS.Signals): Promise<void> {
    server.lifecycle.draining = true;
    http.beginDraining();
    logger.info({ signal, drainDelayMs, timeoutMs }, 'shutting down: readiness fails; still serving for the drain delay');
    await sleep(drainDelayMs, undefined, { signal: hurry.signal }).catch(() => undefined);
    if (phase === 'draining') phase = 'closing';

    const deadline = setTimeout(() => {
      logger.error({ timeoutMs, inFlight: http.inFlight }, 'shutdown took too long; exiting');
      exit(1);
    }, timeoutMs);
    deadline.unref();
    const closed = Promise.all([server.close(), alsoClose()]);
    const cut = http.stopAccepting();
    logger.info({ inFlight: http.inFlight - cut, cutUploads: cut }, 'shutting down: no longer accepting; finishing in-flight requests');
    if (cut > 0) logger.warn({ count: cut }, 'closed connections whose request had not finished arriving');
    await http.requestsFinished();
    // What is left answers nobody: idle keep-alive connections and ones still sending headers.
    http.closeAllConnections();
    await closed;
    await afterClose();
    clearTimeout(deadline);
    logger.info('shutdown complete');
    exit(phase === 'forced' ? 1 : 0);
  }

  return (signal) => {
    if (phase === 'serving') {
      phase = 'draining';
      run(signal).catch((error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        exit(1);
      });
    } else if (phase === 'forced') {
      logger.error({ signal }, 'third signal: exiting now');
      exit(1);
    } else {
      phase = 'forced';
      logger.warn({ signal, inFlight: http.inFlight }, 'second signal: closing every connection now');
      hurry.abort();
      http.stopAccepting();
      http.closeAllConnections();
    }
  };
}
