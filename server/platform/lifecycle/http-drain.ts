/**
 * What the HTTP listener is doing while the process drains: which requests still await their
 * answer, and which connections only hold the shutdown up (idle keep-alive, headers or a body
 * still trickling in) and can be closed without losing an answer anyone is waiting for.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface HttpDrain {
  /** Requests that have arrived and not been answered (or aborted) yet. */
  readonly inFlight: number;
  /**
   * From now on every answer carries `Connection: close`: a keep-alive client (a load balancer's
   * pooled connection, too) opens a new connection for its next request, which the balancer can
   * send to another instance, instead of holding this one open until it closes under it.
   */
  beginDraining(): void;
  /**
   * Stops accepting: a connection accepted from now on is closed at once. Requests whose body is
   * still arriving are cut (their client is still sending; nothing is working on them yet), so a
   * stalled upload cannot hold the shutdown up. Returns how many were cut.
   */
  stopAccepting(): number;
  /** Resolves once every request has been answered or aborted. */
  requestsFinished(): Promise<void>;
  /** Closes every connection, whatever it is doing: idle, mid-headers, or mid-request. */
  closeAllConnections(): void;
}

export function trackHttpDrain(server: Server): HttpDrain {
  const inFlight = new Set<IncomingMessage>();
  const waiters = new Set<() => void>();
  let draining = false;
  let accepting = true;

  const settle = (request: IncomingMessage) => {
    if (!inFlight.delete(request) || inFlight.size > 0) return;
    for (const wake of waiters) wake();
    waiters.clear();
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    inFlight.add(request);
    // 'close' fires both when the answer has been sent and when the connection died first.
    response.once('close', () => settle(request));
    if (draining && !response.headersSent) response.setHeader('connection', 'close');
  });
  // A connection that reached us in the instant between deciding to stop and the listener
  // closing would otherwise keep the server open until it timed out.
  server.on('connection', (socket: NodeJS.Socket & { destroy(): void }) => {
    if (!accepting) socket.destroy();
  });

  return {
    get inFlight() {
      return inFlight.size;
    },
    beginDraining() {
      draining = true;
    },
    stopAccepting() {
      accepting = false;
      let cut = 0;
      for (const request of inFlight) {
        if (request.complete) continue;
        request.socket.destroy();
        cut += 1;
      }
      return cut;
    },
    requestsFinished() {
      if (inFlight.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.add(resolve));
    },
    closeAllConnections() {
      server.closeAllConnections();
      for (const request of inFlight) request.socket.destroy();
    },
  };
}
