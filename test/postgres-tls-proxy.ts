/**
 * A PostgreSQL that speaks TLS only, for tests: a proxy that answers the client's SSLRequest,
 * terminates TLS with the given certificate and forwards the plain protocol to a real server. A
 * client that starts without TLS is hung up on, as a server with only `hostssl` rules would.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext } from 'node:tls';

export interface PostgresTlsProxy {
  readonly port: number;
  /** The target URL with its host and port replaced by the proxy's. */
  url(targetUrl: string): string;
  close(): Promise<void>;
}

// SSLRequest: length 8, then the code 1234 5679.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

export async function startPostgresTlsProxy({ targetUrl, cert, key }: { targetUrl: string; cert: string; key: string }): Promise<PostgresTlsProxy> {
  const target = new URL(targetUrl);
  const secureContext = createSecureContext({ cert, key });
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.once('data', (first: Buffer) => {
      if (!first.subarray(0, 8).equals(SSL_REQUEST)) return void client.destroy();
      client.write('S');
      const secure = new TLSSocket(client, { isServer: true, secureContext });
      const upstream = connect({ host: target.hostname, port: Number(target.port || 5432) });
      sockets.add(upstream);
      const end = () => {
        secure.destroy();
        upstream.destroy();
      };
      secure.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      secure.pipe(upstream).pipe(secure);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
