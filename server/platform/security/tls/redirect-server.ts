/**
 * The plain-HTTP listener that sends everything to HTTPS (TLS_REDIRECT_PORT). 308 keeps the
 * method and body, so an API client's POST is redirected as a POST. It serves nothing else.
 */
import { createServer, type Server } from 'node:http';

// A host name or an IP literal, with an optional port: anything else is refused rather than echoed.
// Not ReDoS: one bounded repetition ({0,251}) inside an optional group, anchored at both ends.
// eslint-disable-next-line security/detect-unsafe-regex
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::\d{1,5})?$/i;

export function createRedirectServer({ httpsPort }: { httpsPort: number }): Server {
  return createServer((request, response) => {
    const match = HOST_HEADER.exec(request.headers.host ?? '');
    if (!match) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('A valid Host header is required.\n');
      return;
    }
    const path = request.url?.startsWith('/') ? request.url : '/';
    const location = `https://${match[1]}${httpsPort === 443 ? '' : `:${httpsPort}`}${path}`;
    response.writeHead(308, { location, 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`Moved to ${location}\n`);
  });
}

/** Starts the redirect listener; resolves with a function that closes it. */
export async function startRedirectServer({
  port,
  host,
  httpsPort,
}: {
  port: number;
  host: string;
  httpsPort: number;
}): Promise<{ server: Server; close: () => Promise<void> }> {
  const server = createRedirectServer({ httpsPort });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
