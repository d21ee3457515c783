/**
 * A TCP proxy a test puts between Watchkeeper and a real PostgreSQL or Redis, to make the
 * dependency fail by real means and come back: cut it (connections reset, port closed), freeze it
 * (connections stay open but nothing gets through — a hung server or a partition), restore it.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** The target URL with its host and port replaced by the proxy's. */
  url(targetUrl: string): string;
  /** Open connections through the proxy (client side). */
  readonly connections: number;
  /** Bytes clients have sent into the proxy, forwarded or held back: whether anything was even tried. */
  readonly bytesFromClients: number;
  /** Resets every connection and stops listening: new connections are refused. */
  cut(): Promise<void>;
  /** Listens again on the same port and forwards as before. */
  restore(): Promise<void>;
  /** Resets every open connection but keeps accepting new ones (a server that dropped its clients). */
  dropConnections(): void;
  /** Stops forwarding in both directions, keeping connections open; new ones are accepted and hang too. */
  freeze(): void;
  /** Forwards again, delivering what was held back. */
  thaw(): void;
  /** Delays every chunk by this many ms in each direction (0: none), as a slow network or server would. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startTcpProxy({ targetHost, targetPort }: { targetHost: string; targetPort: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; held: Array<{ to: Socket; chunk: Buffer }> }>();
  let frozen = false;
  let latencyMs = 0;
  let bytesFromClients = 0;
  let server: Server | undefined;
  let port = 0;

  const onConnection = (client: Socket) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    const pair = { client, upstream, held: [] as Array<{ to: Socket; chunk: Buffer }> };
    pairs.add(pair);
    // Forwarded by hand rather than piped, so that a frozen proxy lets nothing through.
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (frozen) pair.held.push({ to, chunk });
      // Timers of equal delay fire in order, so the stream stays in order.
      else if (latencyMs > 0) setTimeout(() => to.destroyed || to.write(chunk), latencyMs);
      else to.write(chunk);
    };
    client.on('data', (chunk: Buffer) => void (bytesFromClients += chunk.length));
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer(onConnection);
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        const address = next.address();
        port = typeof address === 'object' && address ? address.port : port;
        server = next;
        resolve();
      });
    });

  const reset = () => {
    for (const { client, upstream } of pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  const stopListening = async () => {
    const current = server;
    server = undefined;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();

  return {
    get port() {
      return port;
    },
    url(targetUrl) {
      const parsed = new URL(targetUrl);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    get connections() {
      return pairs.size;
    },
    get bytesFromClients() {
      return bytesFromClients;
    },
    async cut() {
      reset();
      await stopListening();
    },
    async restore() {
      if (!server) await listen();
    },
    dropConnections: reset,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) {
        for (const { to, chunk } of pair.held.splice(0)) to.write(chunk);
      }
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    async close() {
      reset();
      await stopListening();
    },
  };
}

/** A proxy in front of the server a PostgreSQL or Redis URL names (default ports when it names none). */
export function proxyTo(url: string): Promise<TcpProxy> {
  const target = new URL(url);
  return startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || (target.protocol.startsWith('redis') ? 6379 : 5432)) });
}
